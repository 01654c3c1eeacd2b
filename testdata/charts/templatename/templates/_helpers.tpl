{{- define "templatename.self" -}}
{{ .Template.Name }} in {{ .Template.BasePath }}
{{- end }}
