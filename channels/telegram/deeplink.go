package telegram

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// A deep link https://t.me/BOT?start=PAYLOAD opens the bot; Telegram sends
// "/start PAYLOAD" when the person taps Start. PAYLOAD may hold 1-64 of
// A-Z a-z 0-9 _ -. Passerelle's payload names an outreach campaign, and
// optionally the language and topic to open with:
//
//	CAMPAIGN[-LANG][--TOPIC]
//
//	calais3              campaign "calais3"
//	calais3-ti           ... in Tigrinya
//	calais3-ti--return_allowance
//	                     ... on topic return.allowance (dots become _)
//	calais3--rights_minors
//
// The campaign code is 1-32 letters, digits or _; it names a poster, a
// place or a week of outreach, never a person. LANG is 2-3 lowercase
// letters. TOPIC is a topic id written with _ for each dot.
var (
	campaignRE = regexp.MustCompile(`^[A-Za-z0-9_]{1,32}$`)
	langRE     = regexp.MustCompile(`^[a-z]{2,3}$`)
	topicRE    = regexp.MustCompile(`^[a-z0-9]+([.-][a-z0-9]+)*$`)
	startRE    = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
)

// Start is what a deep-link payload asks for.
type Start struct {
	Campaign, Lang, Topic string
}

// ParseStart reads a /start payload; ok is false when it is not one
// Passerelle makes (then the person gets the normal welcome).
func ParseStart(payload string) (s Start, ok bool) {
	if !startRE.MatchString(payload) {
		return Start{}, false
	}
	head, topic, hasTopic := strings.Cut(payload, "--")
	if hasTopic {
		s.Topic = strings.ReplaceAll(topic, "_", ".")
		if !topicRE.MatchString(s.Topic) {
			return Start{}, false
		}
	}
	campaign, lang, hasLang := strings.Cut(head, "-")
	if !campaignRE.MatchString(campaign) || (hasLang && !langRE.MatchString(lang)) {
		return Start{}, false
	}
	s.Campaign, s.Lang = campaign, lang
	return s, true
}

// Payload encodes s as a /start payload.
func (s Start) Payload() (string, error) {
	if !campaignRE.MatchString(s.Campaign) {
		return "", fmt.Errorf("campaign %q: use 1-32 letters, digits or _", s.Campaign)
	}
	p := s.Campaign
	if s.Lang != "" {
		if !langRE.MatchString(s.Lang) {
			return "", fmt.Errorf("language %q: use a 2-3 letter code such as ti or ckb", s.Lang)
		}
		p += "-" + s.Lang
	}
	if s.Topic != "" {
		if !topicRE.MatchString(s.Topic) {
			return "", fmt.Errorf("topic %q: not a topic id", s.Topic)
		}
		p += "--" + strings.ReplaceAll(s.Topic, ".", "_")
	}
	if len(p) > 64 {
		return "", fmt.Errorf("the start payload %q is %d characters; Telegram allows 64: use a shorter campaign code", p, len(p))
	}
	if got, ok := ParseStart(p); !ok || got != s {
		return "", errors.New("this campaign, language and topic cannot be told apart in a link")
	}
	return p, nil
}

// DeepLink is the t.me link that opens bot (its username, with or without
// @) with s's payload.
func DeepLink(bot string, s Start) (string, error) {
	bot = strings.TrimPrefix(bot, "@")
	if !usernameRE.MatchString(bot) {
		return "", fmt.Errorf("bot username %q: 5-32 letters, digits or _", bot)
	}
	p, err := s.Payload()
	if err != nil {
		return "", err
	}
	return "https://t.me/" + bot + "?start=" + url.QueryEscape(p), nil
}

// usernameRE is a Telegram username (bots end in "bot", not checked).
var usernameRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{3,31}$`)

// payloadRE is the shape of every payload the bot offers as a button
// ("menu", "lang:ti", "topic:return.allowance", "consent:yes").
var payloadRE = regexp.MustCompile(`^[A-Za-z0-9_.:-]{1,64}$`)

// ValidPayload reports whether callback_data from a button press can be an
// option's payload: 1-64 bytes of letters, digits and _ . : -. Anything
// else was not sent by Passerelle and is dropped. (The engine and flows
// then accept only the payloads they offer.)
func ValidPayload(s string) bool { return payloadRE.MatchString(s) }
