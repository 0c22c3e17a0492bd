// Command loadgen puts Passerelle under realistic load and checks that
// every message got its replies exactly once.
//
// It starts in-process fakes of the Telegram Bot API and the Twilio
// Messages API (channels/telegram/telegramtest, channels/twilio/twiliotest),
// starts `passerelle serve` processes pointed at them (or targets servers
// already running), and simulates people writing questions taken from the
// knowledge base in their own languages: Telegram updates with the
// webhook's secret_token header, Twilio SMS and WhatsApp forms signed with
// X-Twilio-Signature. Messages are queued open-loop at the target rate,
// spread over the replicas, each person writing at most once every
// -min-gap; each provider sends them over at most -conns connections per
// replica (Telegram's max_connections default is 40), so a slow service
// makes messages wait at the provider, as they would. A webhook not
// answered 2xx is delivered again later, byte for byte (same update_id,
// same MessageSid), to the next replica, as the providers do; -replay of
// the acknowledged ones are delivered a second time anyway (a lost 200).
//
// After the load it waits until the outbox is empty, then reads the
// service's tables and the doubles to decide whether each inbound message
// was recorded once and each of its replies reached the provider exactly
// once (see Verdict for the precise definition), and reports throughput,
// webhook latency percentiles, how long the replies took to drain, and the
// peak resident memory of each server process (/proc/PID/status VmHWM).
//
// With -kill-after it SIGKILLs replica 0 mid-stream and restarts it on the
// same data: the crash test in this package does this on SQLite and, when
// PASSERELLE_TEST_DATABASE_URL is set, on PostgreSQL with two replicas.
//
// # Running it
//
//	go build -o /tmp/passerelle ./cmd/passerelle
//	go run ./cmd/loadgen -bin /tmp/passerelle -rate 500 -duration 60s
//	go run ./cmd/loadgen -bin /tmp/passerelle -replicas 2 \
//	    -database-url postgres://localhost/passerelle_load -rate 500 -duration 60s
//	go run ./cmd/loadgen -bin /tmp/passerelle -rate 100 -duration 20s -kill-after 8s
//
// Servers run elsewhere: `go run ./cmd/loadgen -targets http://host:8080
// -sqlite /path/passerelle.db` prints the PASSERELLE_* settings that point
// them at its doubles, then waits for their /readyz. -server-env passes
// extra settings (for example PASSERELLE_SEND_CONCURRENCY) to the servers
// it starts; -keep -dir D keeps their data and logs. The exit status is 1
// when the verdict is not exactly-once. The load generator shares the CPU
// with the servers, and so may anything else running on the machine: the
// report gives the load average, how long messages waited before their
// first attempt, and the servers' CPU time per message, which depends
// least on the machine being shared.
//
// The crash test takes a minute and a half by default: after the kill, a
// reply whose send was under way waits for its outbox lease (one minute)
// to expire. LOADGEN_CRASH_RATE and LOADGEN_CRASH_SECONDS make it heavier;
// LOADGEN_STRICT=1 also refuses the duplicates a kill can cause (a reply
// the provider accepted just before the process died is sent again).
// go test -short skips it.
package main
