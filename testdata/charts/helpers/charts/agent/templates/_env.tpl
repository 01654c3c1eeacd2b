{{- define "agent.env" -}}
- name: MODE
  value: node
{{ include "common.dockerHost" . }}
{{- end }}
