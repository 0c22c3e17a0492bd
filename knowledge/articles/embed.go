// Package articles holds the knowledge base content, one Markdown file per
// topic and language ("<topic-id>/<lang>.md"), embedded into the binary.
// knowledge.Load(articles.FS) reads and validates it.
package articles

import "embed"

// FS is the embedded article tree: "<topic-id>/<lang>.md".
//
//go:embed */*.md
var FS embed.FS
