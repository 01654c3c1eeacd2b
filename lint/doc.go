// Package lint holds the model every other package speaks: objects decoded
// with their source positions, the rules that check them, the findings they
// report, the engine that runs rules over inputs, and the report writers.
//
// Sources (plain files, Helm charts, kustomize overlays) implement Input and
// live in package render; checks are Rules and live in package rules. Neither
// knows about the other: they meet here.
package lint
