package meilitest

import (
	"net/http"
	"strconv"
	"time"
)

// task is one asynchronous task.
type task struct {
	UID        int64      `json:"uid"`
	BatchUID   *int64     `json:"batchUid"`
	IndexUID   *string    `json:"indexUid"`
	Status     string     `json:"status"`
	Type       string     `json:"type"`
	Error      *APIError  `json:"error"`
	Duration   *string    `json:"duration"`
	EnqueuedAt time.Time  `json:"enqueuedAt"`
	StartedAt  *time.Time `json:"startedAt"`
	FinishedAt *time.Time `json:"finishedAt"`
	apply      func() *APIError
}

// enqueue records a task and answers 202 with its summary.
func (s *Server) enqueue(w http.ResponseWriter, uid, typ string, apply func() *APIError) {
	s.mu.Lock()
	t := &task{UID: int64(len(s.tasks)), Status: "enqueued", Type: typ, EnqueuedAt: time.Now().UTC(), apply: apply}
	if uid != "" {
		t.IndexUID = &uid
	}
	s.tasks = append(s.tasks, t)
	s.mu.Unlock()
	writeJSON(w, 202, map[string]any{"taskUid": t.UID, "indexUid": t.IndexUID, "status": t.Status,
		"type": t.Type, "enqueuedAt": t.EnqueuedAt})
}

// step moves a task one state on: enqueued -> processing -> succeeded or
// failed. Earlier tasks finish first, as Meilisearch processes tasks in
// order. The caller holds s.mu.
func (s *Server) step(t *task) {
	for _, o := range s.tasks[:t.UID] {
		for o.Status == "enqueued" || o.Status == "processing" {
			s.step(o)
		}
	}
	now := time.Now().UTC()
	switch t.Status {
	case "enqueued":
		t.Status, t.StartedAt = "processing", &now
	case "processing":
		e := t.apply()
		if f, ok := s.failNext[t.Type]; ok && e == nil {
			delete(s.failNext, t.Type)
			e = &f
		}
		t.Status, t.Error, t.FinishedAt = "succeeded", e, &now
		if e != nil {
			t.Status = "failed"
		}
		d := "PT0.001S"
		t.Duration = &d
	}
}

func (s *Server) getTask(w http.ResponseWriter, r *http.Request, _ []byte) {
	uid, err := strconv.ParseInt(r.PathValue("uid"), 10, 64)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil || uid < 0 || uid >= int64(len(s.tasks)) {
		writeError(w, 404, apiError("task_not_found", "invalid_request", "Task `%s` not found.", r.PathValue("uid")))
		return
	}
	t := s.tasks[uid]
	s.step(t)
	writeJSON(w, 200, t)
}

// settle finishes every pending task (what the server does on its own
// given time). The caller holds s.mu.
func (s *Server) settle() {
	for _, t := range s.tasks {
		for t.Status == "enqueued" || t.Status == "processing" {
			s.step(t)
		}
	}
}

// Settle finishes every pending task now.
func (s *Server) Settle() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settle()
}
