{{- define "common.dockerVolume" -}}
- name: docker-graph
  hostPath:
    path: /var/lib/docker # want: docker-data-dir@11
{{- end }}

{{- define "common.dockerHost" -}}
- name: DOCKER_HOST
  value: unix:///var/run/docker.sock # want: docker-host-env@10
{{- end }}
