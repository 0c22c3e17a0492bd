// Package flows runs Passerelle's guided conversations: the welcome, the
// language choice, the menus and the intake before a caseworker takes
// over. Each flow is a small YAML file that a non-programmer can read and
// edit; the built-in ones are in flows/builtin and embedded in the binary.
//
// The package is pure: Start and Step take a flow, the conversation's
// bot.State and the person's input, and return the new state and the
// bot.Actions for the engine to carry out (say a message, answer a topic,
// search, open a handoff, set the language, end). No I/O, no clock, the
// same inputs always give the same outputs. Message keys are localised,
// and options rendered as buttons or numbered lines, by the engine.
//
// # A flow file
//
//	# Lines starting with # are comments.
//	id: handoff                 # the flow's name; other flows start it by this name
//	description: Intake for a caseworker.
//	start: consent              # the first step
//
//	steps:
//	  consent:                  # a step's name, then what it does
//	    say:                    # messages, by key (locales/messages/en.yaml)
//	      - handoff.explain
//	      - handoff.consent
//	    options:                # the choices, shown with the last message
//	      - {id: "consent:yes", key: handoff.yes, next: reason}
//	      - id: "consent:no"
//	        key: handoff.no
//	        do:                 # actions when this option is chosen
//	          - say: handoff.declined
//	          - end
//	    on_text: invalid        # what a written answer does here (see below)
//
//	  reason:
//	    say: handoff.ask_reason
//	    wait: note              # keep what the person writes in "note"
//	    next: urgency
//
//	  urgency:
//	    say: handoff.ask_urgency
//	    options:
//	      - {id: "urgent:yes", key: handoff.urgent_yes, set: {urgent: "yes"}, next: open}
//	      - {id: "urgent:no",  key: handoff.urgent_no,  set: {urgent: "no"},  next: open}
//	    on_text: invalid
//
//	  open:
//	    do:
//	      - handoff: {reason: person, urgent: "{{urgent}}", note: "{{note}}"}
//	      - end
//
// # Steps
//
// Entering a step does, in order: say its messages (say: one key or a
// list), run its actions (do:), then one of:
//
//   - options: offer choices and wait for one;
//   - wait: NAME: wait for a written answer, keep it in the var NAME, then
//     go to next;
//   - branch: go to a step chosen by the value of a var;
//   - next: STEP: go straight on to another step;
//   - nothing more, when its actions end the flow (end or start).
//
// A step that does none of these is a dead end, and Validate says so.
//
// # Options
//
// Each option has an id, a label and somewhere to go:
//
//   - id: what comes back when the person chooses it (a button's payload).
//     Ids are unique within a step and at most 64 bytes. Keep them stable:
//     buttons already sent still carry them. A prefix such as "lang:" or
//     "menu:" keeps them distinct across flows.
//   - key: a message key for the label, or label: literal text shown as is
//     (a language's own name, "Français", "ትግርኛ").
//   - next: the step to go to, and/or do: actions to run. An option with
//     neither uses the step's next.
//   - set: {name: value} sets vars; value: is what the step's save: var
//     receives (the id when there is no value).
//   - topic: ID is a shorthand for an option with id "topic:ID", labelled
//     with the message topic.ID, that answers topic ID and ends the flow.
//
// The person chooses by pressing a button, by sending its number (the
// engine maps it back to the id), or by writing the id itself. What any
// other written text does must be said for every step with options:
//
//   - on_text: search: it is a question: the flow ends and the engine
//     answers it from the knowledge base;
//   - on_text: invalid: say input.invalid_choice and offer the options again;
//   - on_text: STEP: go to that step; {{input}} holds the text.
//
// # Actions (do:)
//
//	do:
//	  - say: KEY           # send a message
//	  - answer: TOPIC      # answer a knowledge-base topic (topics.yaml)
//	  - search: TEXT       # treat TEXT as a question, e.g. "{{input}}"
//	  - handoff: {urgent: "{{urgent}}", reason: person, note: "{{note}}"}
//	                       # open a conversation with a caseworker; urgent is
//	                       # yes, no or a var; reason defaults to person
//	  - set_lang: CODE     # set the conversation's language, e.g. "{{lang}}"
//	  - start: FLOW        # end this flow and start another
//	  - end                # end the flow
//
// start and end come last. "{{name}}" is replaced by the var's value;
// {{input}} is what the person just sent.
//
// # Branch
//
//	check:
//	  branch:
//	    on: urgent                       # a var, or input
//	    cases: {"yes": fast, "no": normal}
//	    else: normal                     # when no case matches
//
// Values compare trimmed and without regard to case.
//
// # Sharing a step
//
// same_as: FLOW/STEP (or just STEP within the flow) copies another step's
// say, do, options, save, on_text, wait, next and branch; fields written in
// the step itself replace the copied ones, and step names refer to this
// flow. The welcome flow asks the language this way, with the options
// written once in language.yaml.
//
// # Vars and state
//
// Vars live in bot.State.Vars while the flow runs and are cleared when it
// ends or another flow starts. A wait keeps at most MaxVarLen characters.
// While a step waits for a choice, State.Options lists its options (Label
// is the literal label or, before localisation, the message key) so that
// "2" maps back to an id; an ActSay carries the same options as Choices.
//
// # Running and checking
//
// A Set holds the flows by id and implements bot.Flows; it follows start
// actions itself, so the engine never sees ActStartFlow from it. Builtin
// loads the embedded flows, LoadDir a directory of them. Validate checks
// message keys in every language, steps, reachability, dead ends, topics
// and started flows, and returns every problem with its file and line;
// CheckFiles does the same for `passerelle flows check [FILES]`.
package flows
