{{/* The volumes every agent pod mounts. */}}
{{- define "include.volumes" -}}
- name: docker-sock
  hostPath:
    path: /var/run/docker.sock
{{- end }}

{{- define "include.name" -}}
{{ .Chart.Name | trunc 63 | trimSuffix "-" }}
{{- end }}
