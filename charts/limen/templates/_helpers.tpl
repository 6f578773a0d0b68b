{{/* Names, labels, images and shared blocks of the Limen chart. */}}

{{- define "limen.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The prefix of every resource name (<= 40 characters so "-bpf-loader" and friends fit
     in 63). */}}
{{- define "limen.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "limen.operator.fullname" -}}{{ include "limen.fullname" . }}-operator{{- end -}}
{{- define "limen.webhook.fullname" -}}{{ include "limen.fullname" . }}-webhook{{- end -}}
{{- define "limen.bpfLoader.fullname" -}}{{ include "limen.fullname" . }}-bpf-loader{{- end -}}

{{/* Both webhook configurations (one of each kind) carry this name; the webhook's
     certificate manager may patch exactly these (RBAC resourceNames). */}}
{{- define "limen.webhookConfigName" -}}{{ include "limen.fullname" . }}-webhook{{- end -}}

{{- define "limen.webhook.secretName" -}}
{{- default (printf "%s-tls" (include "limen.webhook.fullname" .)) .Values.webhook.certificates.secretName -}}
{{- end -}}

{{/* True ("true") when the webhook runs in the cluster (no out-of-cluster URL). */}}
{{- define "limen.webhook.inCluster" -}}
{{- if not .Values.webhook.url -}}true{{- end -}}
{{- end -}}

{{- define "limen.webhook.selfManaged" -}}
{{- if and (include "limen.webhook.inCluster" .) (eq .Values.webhook.certificates.mode "self-managed") -}}true{{- end -}}
{{- end -}}

{{- define "limen.webhook.certManager" -}}
{{- if and (include "limen.webhook.inCluster" .) (eq .Values.webhook.certificates.mode "cert-manager") -}}true{{- end -}}
{{- end -}}

{{- define "limen.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels of every object. */}}
{{- define "limen.labels" -}}
helm.sh/chart: {{ include "limen.chart" . }}
app.kubernetes.io/name: {{ include "limen.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: limen
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Selector labels of one component: (dict "ctx" $ "component" "operator"). */}}
{{- define "limen.selectorLabels" -}}
app.kubernetes.io/name: {{ include "limen.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "limen.componentLabels" -}}
{{ include "limen.labels" .ctx }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* An image reference from {repository, tag, digest}: repository@digest when a digest is
     set, else repository:tag (tag defaulting to the chart's appVersion). */}}
{{- define "limen.image" -}}
{{- if .image.digest -}}
{{- printf "%s@%s" .image.repository .image.digest -}}
{{- else -}}
{{- printf "%s:%s" .image.repository (default .ctx.Chart.AppVersion .image.tag) -}}
{{- end -}}
{{- end -}}

{{/* Pod-level securityContext meeting Pod Security "restricted". */}}
{{- define "limen.restrictedPodSecurityContext" -}}
runAsNonRoot: true
runAsUser: 65532
runAsGroup: 65532
fsGroup: 65532
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Container-level securityContext meeting Pod Security "restricted", read-only root. */}}
{{- define "limen.restrictedContainerSecurityContext" -}}
allowPrivilegeEscalation: false
privileged: false
readOnlyRootFilesystem: true
runAsNonRoot: true
capabilities:
  drop: [ALL]
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "limen.imagePullSecrets" -}}
{{- with .Values.imagePullSecrets -}}
imagePullSecrets:
{{- range . }}
  - name: {{ . }}
{{- end }}
{{- end -}}
{{- end -}}

{{/* The webhook's namespaceSelector: (dict "ctx" $ "optIn" bool). Never kube-system,
     kube-node-lease or the release namespace (DESIGN.md), whatever their labels say. */}}
{{- define "limen.webhook.namespaceSelector" -}}
{{- $excluded := concat (list "kube-system" "kube-node-lease" .ctx.Release.Namespace) .ctx.Values.webhook.excludedNamespaces | uniq -}}
namespaceSelector:
  matchExpressions:
    {{- if .optIn }}
    - key: limen.dev/injection
      operator: In
      values: [enabled]
    {{- end }}
    - key: kubernetes.io/metadata.name
      operator: NotIn
      values:
        {{- range $excluded }}
        - {{ . | quote }}
        {{- end }}
{{- end -}}

{{/* clientConfig of one webhook path: (dict "ctx" $ "path" "/mutate-pods"). */}}
{{- define "limen.webhook.clientConfig" -}}
clientConfig:
  {{- if .ctx.Values.webhook.url }}
  url: {{ printf "%s%s" (trimSuffix "/" .ctx.Values.webhook.url) .path | quote }}
  caBundle: {{ .ctx.Values.webhook.caBundle | quote }}
  {{- else }}
  service:
    name: {{ include "limen.webhook.fullname" .ctx }}
    namespace: {{ .ctx.Release.Namespace }}
    path: {{ .path }}
    port: {{ .ctx.Values.webhook.service.port }}
  {{- end }}
{{- end -}}

{{/* Annotations of the webhook configurations: cert-manager's cainjector fills caBundle. */}}
{{- define "limen.webhook.configAnnotations" -}}
{{- if include "limen.webhook.certManager" . -}}
annotations:
  cert-manager.io/inject-ca-from: {{ .Release.Namespace }}/{{ include "limen.webhook.fullname" . }}
{{- end -}}
{{- end -}}

{{/* LIMEN_LOCATOR: where applications find the control plane (the operator Service). */}}
{{- define "limen.locator" -}}
{{- default (printf "%s.%s.svc:%v" (include "limen.operator.fullname" .) .Release.Namespace .Values.operator.service.port) .Values.injector.locator -}}
{{- end -}}

{{/* The webhook's config file (webhooks/src/config.cc): strings quoted, numbers and
     booleans bare, as the webhook's YAML reader types them. */}}
{{- define "limen.injectorConfig" -}}
{{- $i := .Values.injector -}}
injector:
  sidecarName: {{ $i.sidecarName | quote }}
  sidecarImage: {{ printf "%s@%s" $i.sidecarImage.repository $i.sidecarImage.digest | quote }}
  sidecarCommand: {{ toJson $i.sidecarCommand }}
  cpuRequest: {{ $i.cpuRequest | quote }}
  memoryRequest: {{ $i.memoryRequest | quote }}
  cpuLimit: {{ $i.cpuLimit | quote }}
  memoryLimit: {{ $i.memoryLimit | quote }}
  runAsUser: {{ int64 $i.runAsUser }}
  runAsGroup: {{ int64 $i.runAsGroup }}
  maxConcurrency: {{ int64 $i.maxConcurrency }}
  nativeSidecar: {{ not .Values.webhook.olderCluster }}
  locator: {{ include "limen.locator" . | quote }}
  limenNamespace: {{ .Release.Namespace | quote }}
{{- end -}}
