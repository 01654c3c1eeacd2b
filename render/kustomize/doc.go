// Package kustomize builds a kustomization offline and in-process, with
// kustomize's own library on a read-only file system bounded at the
// repository, and maps every built node back to the base, patch or
// generator a person edits.
package kustomize
