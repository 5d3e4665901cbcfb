{{/* Names and labels. */}}
{{- define "polycode.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "polycode.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
app.kubernetes.io/part-of: polycode
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end -}}

{{/* Selector labels of one component: (dict "root" $ "name" "shop-worker"). */}}
{{- define "polycode.selector" -}}
app.kubernetes.io/name: polycode
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .name }}
{{- end -}}

{{- define "polycode.image" -}}
{{- $image := ternary .root.Values.runnerImage .root.Values.image (eq (.component.image | default "app") "runner") -}}
{{- printf "%s:%s" $image.repository ($image.tag | default .root.Chart.AppVersion) -}}
{{- end -}}

{{/* A registry name (the name services ask for: SERVICE_URL_<NAME>, Consul, intentions) as the
     DNS label of its Kubernetes objects: registry names may hold "_" (monolith_ws), DNS names
     may not. */}}
{{- define "polycode.dnsName" -}}
{{- . | replace "_" "-" -}}
{{- end -}}

{{/* A registry name's Kubernetes name: its Service, ServiceAccount and Consul mesh service. */}}
{{- define "polycode.serviceName" -}}
{{ include "polycode.fullname" .root }}-{{ include "polycode.dnsName" .service }}
{{- end -}}

{{/* The application a service runs (its settings, POLYCODE_SERVICE, database variable): its own
     name, or `app` for a second process of one application (monolith_ws runs the monolith). */}}
{{- define "polycode.app" -}}
{{- (index .root.Values.services .service).app | default .service -}}
{{- end -}}

{{/* Whether a service's pods hold WebSockets (a component of it has `websocket: true`). */}}
{{- define "polycode.websocket" -}}
{{- $service := .service -}}
{{- $found := false -}}
{{- range .root.Values.components -}}
{{- if and (eq .service $service) .websocket -}}{{- $found = true -}}{{- end -}}
{{- end -}}
{{- if $found -}}true{{- end -}}
{{- end -}}

{{/* The environment variable holding a service's database URL. */}}
{{- define "polycode.databaseVariable" -}}
{{- if eq . "monolith" -}}DATABASE_URL{{- else -}}{{ upper . }}_DATABASE_URL{{- end -}}
{{- end -}}

{{/* A service's name in Consul: its service account's, as consul-k8s requires with ACLs. */}}
{{- define "polycode.consulName" -}}
{{ include "polycode.serviceName" . }}
{{- end -}}

{{/* Services a service calls: the destinations of the intentions that list it. */}}
{{- define "polycode.upstreams" -}}
{{- $caller := .service -}}
{{- $found := list -}}
{{- range $destination, $callers := .root.Values.mesh.intentions -}}
{{- if has $caller $callers -}}{{- $found = append $found $destination -}}{{- end -}}
{{- end -}}
{{- $found | sortAlpha | join "," -}}
{{- end -}}

{{/* Whether a service's pods join the mesh: the runner never does (it has no egress at all,
     and a sidecar must reach the Consul servers). */}}
{{- define "polycode.inMesh" -}}
{{- if and .root.Values.mesh.enabled (ne .service "runner") -}}true{{- end -}}
{{- end -}}

{{/* The base URL a caller uses for a destination: its sidecar's upstream when both are in the mesh. */}}
{{- define "polycode.serviceUrl" -}}
{{- if and .callerInMesh (include "polycode.inMesh" (dict "root" .root "service" .destination)) -}}
http://127.0.0.1:{{ index .root.Values.mesh.upstreamPorts .destination }}
{{- else -}}
http://{{ include "polycode.serviceName" (dict "root" .root "service" .destination) }}:8000
{{- end -}}
{{- end -}}

{{/* Pod annotations of the Consul service mesh for one component. */}}
{{- define "polycode.meshAnnotations" -}}
{{- $values := .root.Values -}}
{{- if and (eq .component.kind "web") (include "polycode.inMesh" (dict "root" .root "service" .component.service)) }}
consul.hashicorp.com/connect-inject: "true"
consul.hashicorp.com/connect-service: {{ include "polycode.consulName" (dict "root" .root "service" .component.service) }}
consul.hashicorp.com/connect-service-port: http
consul.hashicorp.com/transparent-proxy: "false"
{{- $upstreams := list -}}
{{- range $destination := splitList "," (include "polycode.upstreams" (dict "root" .root "service" .component.service)) -}}
{{- if and $destination (include "polycode.inMesh" (dict "root" $.root "service" $destination)) -}}
{{- $upstreams = append $upstreams (printf "%s:%v" (include "polycode.consulName" (dict "root" $.root "service" $destination)) (index $values.mesh.upstreamPorts $destination)) -}}
{{- end -}}
{{- end }}
consul.hashicorp.com/connect-service-upstreams: {{ $upstreams | join "," | quote }}
consul.hashicorp.com/sidecar-proxy-cpu-request: {{ $values.mesh.sidecarResources.requests.cpu | quote }}
consul.hashicorp.com/sidecar-proxy-cpu-limit: {{ $values.mesh.sidecarResources.limits.cpu | quote }}
consul.hashicorp.com/sidecar-proxy-memory-request: {{ $values.mesh.sidecarResources.requests.memory | quote }}
consul.hashicorp.com/sidecar-proxy-memory-limit: {{ $values.mesh.sidecarResources.limits.memory | quote }}
{{- else }}
consul.hashicorp.com/connect-inject: "false"
{{- end }}
{{- end -}}

{{/* Environment of a process of one service: (dict "root" $ "service" "shop"). */}}
{{- define "polycode.env" -}}
{{- $values := .root.Values -}}
{{- $service := .service -}}
{{- $settings := index $values.services $service -}}
{{- $app := include "polycode.app" (dict "root" .root "service" $service) -}}
{{- /* Only web pods carry a sidecar; workers, relays and jobs call services directly. */ -}}
{{- $callerInMesh := and (eq .component.kind "web") (include "polycode.inMesh" (dict "root" .root "service" $service)) -}}
- name: POLYCODE_ENV
  value: production
- name: POLYCODE_SERVICE
  value: {{ $app }}
- name: SECRET_KEY
  valueFrom:
    secretKeyRef: {name: {{ $settings.existingSecret }}, key: SECRET_KEY}
- name: ALLOWED_HOSTS
  value: {{ printf "%s,%s,127.0.0.1,localhost" $values.site.host (include "polycode.serviceName" (dict "root" .root "service" $service)) | quote }}
- name: SITE_URL
  value: {{ $values.site.url | quote }}
- name: SERVICE_REGISTRY
  value: {{ $values.discovery.registry }}
{{- if eq $values.discovery.registry "consul" }}
- name: CONSUL_HTTP_ADDR
  value: {{ $values.consul.httpAddr | quote }}
{{- if $values.consul.existingSecret }}
- name: CONSUL_HTTP_TOKEN
  valueFrom:
    secretKeyRef: {name: {{ $values.consul.existingSecret }}, key: token}
{{- end }}
{{- else }}
{{- range $destination := splitList "," (include "polycode.upstreams" (dict "root" .root "service" $service)) }}
{{- if $destination }}
- name: SERVICE_URL_{{ upper $destination }}
  value: {{ include "polycode.serviceUrl" (dict "root" $.root "callerInMesh" $callerInMesh "destination" $destination) | quote }}
{{- end }}
{{- end }}
{{- end }}
{{- with $values.identity.gatewayPublicKey }}
- name: GATEWAY_ASSERTION_PUBLIC_KEY
  value: {{ . | quote }}
{{- end }}
{{- if and $values.identity.monolithPublicKey (has $service (list "runner" "shop")) }}
- name: SERVICE_ASSERTION_PUBLIC_KEY_MONOLITH
  value: {{ $values.identity.monolithPublicKey | quote }}
{{- end }}
{{- /* The monolith accepts the gateway's own calls (manage.py strangle and the migration dashboard
     move its switches through its switch API), the shop accepts them beside the monolith's
     (strangle's data steps); both verify them with the gateway's service key. */}}
{{- if has $app (list "monolith" "shop") }}
- name: SERVICE_ASSERTION_CALLERS
  value: {{ ternary "monolith,gateway" "gateway" (eq $app "shop") }}
{{- with $values.identity.gatewayServicePublicKey }}
- name: SERVICE_ASSERTION_PUBLIC_KEY_GATEWAY
  value: {{ . | quote }}
{{- end }}
{{- end }}
{{- with $settings.database }}
- name: DATABASE_PASSWORD
  valueFrom:
    secretKeyRef: {name: {{ $settings.existingSecret }}, key: DATABASE_PASSWORD}
- name: {{ include "polycode.databaseVariable" $app }}
  value: {{ printf "postgres://%s:$(DATABASE_PASSWORD)@%s:%v/%s?sslmode=%s" .user $values.postgres.host $values.postgres.port .name $values.postgres.sslmode | quote }}
{{- end }}
{{- if $settings.broker }}
- name: RABBITMQ_USERNAME
  valueFrom:
    secretKeyRef: {name: {{ $values.rabbitmq.existingSecret }}, key: username}
- name: RABBITMQ_PASSWORD
  valueFrom:
    secretKeyRef: {name: {{ $values.rabbitmq.existingSecret }}, key: password}
- name: BROKER_URL
  value: {{ printf "amqp://$(RABBITMQ_USERNAME):$(RABBITMQ_PASSWORD)@%s:%v/%s" $values.rabbitmq.host $values.rabbitmq.port $values.rabbitmq.vhost | quote }}
{{- end }}
{{- if $settings.smtp }}
- name: EMAIL_HOST
  value: {{ $values.smtp.host | quote }}
- name: EMAIL_PORT
  value: {{ $values.smtp.port | quote }}
- name: EMAIL_USE_TLS
  value: {{ $values.smtp.useTls | quote }}
- name: DEFAULT_FROM_EMAIL
  value: {{ $values.smtp.from | quote }}
- name: EMAIL_HOST_PASSWORD
  valueFrom:
    secretKeyRef: {name: {{ $settings.existingSecret }}, key: EMAIL_HOST_PASSWORD, optional: true}
{{- end }}
{{- if $settings.redis }}
{{- if $values.redis.existingSecret }}
- name: REDIS_PASSWORD
  valueFrom:
    secretKeyRef: {name: {{ $values.redis.existingSecret }}, key: password}
- name: REDIS_URL
  value: {{ printf "redis://:$(REDIS_PASSWORD)@%s:%v/0" $values.redis.host $values.redis.port | quote }}
{{- else }}
- name: REDIS_URL
  value: {{ printf "redis://%s:%v/0" $values.redis.host $values.redis.port | quote }}
{{- end }}
{{- end }}
{{- if eq $service "gateway" }}
- name: OIDC_ISSUER
  value: {{ $values.keycloak.issuer | quote }}
- name: OIDC_RP_CLIENT_ID
  value: {{ $values.keycloak.clientId | quote }}
- name: OIDC_RP_CLIENT_SECRET
  valueFrom:
    secretKeyRef: {name: {{ $settings.existingSecret }}, key: OIDC_RP_CLIENT_SECRET}
- name: GATEWAY_ASSERTION_PRIVATE_KEY
  valueFrom:
    secretKeyRef: {name: {{ $settings.existingSecret }}, key: GATEWAY_ASSERTION_PRIVATE_KEY}
{{- /* Its own key for its calls to the monolith's switch API (not the user assertion key above). */}}
- name: SERVICE_ASSERTION_PRIVATE_KEY
  valueFrom:
    secretKeyRef: {name: {{ $settings.existingSecret }}, key: SERVICE_ASSERTION_PRIVATE_KEY}
- name: GATEWAY_TRUSTED_PROXY_HOPS
  value: "1"
{{- end }}
{{- if eq $app "monolith" }}
- name: SERVICE_ASSERTION_PRIVATE_KEY
  valueFrom:
    secretKeyRef: {name: {{ $settings.existingSecret }}, key: SERVICE_ASSERTION_PRIVATE_KEY}
- name: OIDC_RSA_PRIVATE_KEY
  valueFrom:
    secretKeyRef: {name: {{ $settings.existingSecret }}, key: OIDC_RSA_PRIVATE_KEY}
{{- end }}
{{- end -}}

{{/* Security context of every PolyCode container. */}}
{{- define "polycode.containerSecurity" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: [ALL]
{{- if eq .service "runner" }}
# bubblewrap mounts a fresh /proc in its pid namespace (README.md, "The runner").
procMount: Unmasked
seccompProfile: {{ toYaml .root.Values.runnerSandbox.seccompProfile | nindent 2 }}
appArmorProfile: {{ toYaml .root.Values.runnerSandbox.appArmorProfile | nindent 2 }}
{{- else }}
seccompProfile:
  type: RuntimeDefault
{{- end }}
{{- end -}}

{{- define "polycode.podSecurity" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
fsGroup: 10001
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Writable directories on a read-only root filesystem. */}}
{{- define "polycode.volumeMounts" -}}
- name: tmp
  mountPath: /tmp
- name: var
  mountPath: /var/lib/polycode
{{- if eq .service "runner" }}
- name: shm
  mountPath: /dev/shm
{{- end }}
{{- end -}}

{{- define "polycode.volumes" -}}
- name: tmp
  emptyDir: {sizeLimit: 256Mi}
- name: var
  emptyDir: {sizeLimit: 64Mi}
{{- if eq .service "runner" }}
- name: shm
  emptyDir: {medium: Memory, sizeLimit: {{ .component.shmSizeLimit | default "1Gi" }}}
{{- end }}
{{- end -}}
