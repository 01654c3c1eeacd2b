{{/* The pod spec of the agent, as Falco 3.x and Datadog keep theirs. */}}
{{- define "helpers.pod" -}}
containers:
  - name: agent
    image: example/agent:1.0
    command: ["sh", "-c", "docker info"] # want: docker-cli@27
volumes:
  {{- include "helpers.volumes" . | nindent 2 }}
  {{- include "common.dockerVolume" . | nindent 2 }}
{{- end }}

{{- define "helpers.volumes" -}}
- name: docker-sock
  hostPath:
    path: /var/run/docker.sock # want: docker-socket@11
- name: build-sock
  hostPath:
    # dockershim-lint:ignore docker-socket -- the build pool keeps Docker until Q3
    path: /run/docker.sock
{{- end }}

{{/* Read by a function as well as written out: never marked. */}}
{{- define "helpers.socketPath" -}}
/var/run/docker.sock
{{- end }}
