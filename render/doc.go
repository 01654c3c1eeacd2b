// Package render turns what a user points the linter at (manifest files,
// standard input, Helm charts, kustomize overlays) into lint.Objects that
// keep the positions of the source a person edits.
package render
