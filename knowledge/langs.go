package knowledge

import "slices"

// languages lists the codes of the languages the service speaks, in the
// order of the language menu (shared/kb/languages.yaml).
var languages = [...]string{
	"en", "fr", "ar", "fa", "ps", "ur", "ckb", "ti",
	"am", "so", "vi", "hi", "pa", "uk", "sq", "ka",
}

// Languages returns the 16 language codes the knowledge base is written in,
// in menu order. The slice is a fresh copy.
func Languages() []string { return slices.Clone(languages[:]) }

// IsLanguage reports whether code is one of the 16 supported language codes.
func IsLanguage(code string) bool { return slices.Contains(languages[:], code) }
