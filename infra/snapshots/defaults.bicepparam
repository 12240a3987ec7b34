// The default deployment (no AKS cluster, no optional settings), so that scripts/check-bicep.sh evaluates it too.
// Not for deploying: main.bicepparam is.
using '../main.bicep'

param baseName = 'scalefn'

// The Kafka clusters the app may scale. Per-cluster Cruise Control settings go in `settings`, named below
// Clusters__N__ (for example CruiseControl__Service and CruiseControl__Port to reach it through the API server).
param managedClusters = [
  {
    namespace: 'kafka'
    name: 'kafka'
    kind: 'KafkaCluster'
    minBrokers: 3
    maxBrokers: 6
  }
]

// The AKS cluster that runs them (resource id). Empty: configure Kubernetes access with featureSettings yourself.
param aksClusterId = readEnvironmentVariable('SCALEFUNCTIONS_AKS_CLUSTER_ID', '')

// '' = Kubernetes RBAC: apply deploy/kubernetes/rbac.yaml with the output identityPrincipalId as the subject.
param aksNamespaceRole = ''

// Optional app-level webhook credentials (Alertmanager http_config.authorization / basic_auth), from the environment.
param secretSettings = empty(readEnvironmentVariable('SCALEFUNCTIONS_BEARER_TOKEN', ''))
  ? {}
  : {
      Auth__BearerToken: readEnvironmentVariable('SCALEFUNCTIONS_BEARER_TOKEN', '')
    }

// Notify this action group when an alert rule fires (resource id), e.g. the platform team's on-call.
param actionGroupId = readEnvironmentVariable('SCALEFUNCTIONS_ACTION_GROUP_ID', '')
