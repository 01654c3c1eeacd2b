{{/* The volumes every agent pod mounts. */}}
{{- define "include.volumes" -}}
- name: docker-sock
  hostPath:
    path: /var/run/docker.sock # want: docker-socket@11
{{- end }}

{{- define "include.name" -}}
{{ .Chart.Name | trunc 63 | trimSuffix "-" }}
{{- end }}
