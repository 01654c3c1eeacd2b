{{- define "shipper.name" -}}{{ .Chart.Name }}{{- end -}}
