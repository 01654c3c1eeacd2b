// Package helm renders a Helm chart offline and in-process, with Helm's own
// engine, and maps every rendered node back to the template, helper or
// values line a person edits.
package helm
