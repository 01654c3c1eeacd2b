// Package manifest decodes plain YAML and JSON into lint.Objects that keep
// every node's position, and enforces the per-document limits (nesting,
// alias expansion, duplicate keys) that bound what one document can cost.
// The Helm and kustomize renderers decode their output through it too.
package manifest
