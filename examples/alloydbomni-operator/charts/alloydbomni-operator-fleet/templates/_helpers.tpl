{{/*
Chart name and version, as used by the helm.sh/chart label.
*/}}
{{- define "alloydbomni-operator-fleet.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Common labels for every object of this chart.
*/}}
{{- define "alloydbomni-operator-fleet.labels" -}}
helm.sh/chart: {{ include "alloydbomni-operator-fleet.chart" . }}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: alloydbomni-operator
{{- end }}
