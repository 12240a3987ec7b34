// Every optional feature switched on, with placeholder values: scripts/check-bicep.sh keeps all-features.snapshot.json
// (the evaluated resources, app settings included) in step with the Bicep, and DeployedSettings.Test.cs checks those
// settings against the configuration the code reads. Not for deploying.
using '../main.bicep'

param managedClusters = [
  {
    namespace: 'kafka'
    name: 'kafka'
    kind: 'KafkaCluster'
    minBrokers: 3
    maxBrokers: 6
    settings: {
      CruiseControl__Service: 'kafka-cruisecontrol-svc'
      CruiseControl__Port: 8090
    }
  }
  {
    namespace: 'streaming'
    name: 'events'
    minBrokers: 5
    maxBrokers: 12
  }
]
param aksClusterId = '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/aks-kafka'
param aksCertificateAuthorityData = 'TFMwdExTMUNSVWRKVGlCRFJWSlVTVVpKUTBGVVJTMHRMUzB0Q2c9PQ=='
param aksNamespaceRole = 'Azure Kubernetes Service RBAC Writer'
param rebalanceSchedule = '0 */10 * * * *'
// One setting of each feature section, so that the deployed-settings test sees every section under its name.
param featureSettings = {
  Executor__DryRun: 'false'
  Rebalance__DryRun: 'false'
  CruiseControl__CapacityOpinion: 'Enforce'
}
param maxWebhookBodyBytes = 2097152
param secretSettings = {
  Auth__BearerToken: 'placeholder-bearer-token-0123456789'
}
param actionGroupId = '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-ops/providers/Microsoft.Insights/actionGroups/oncall'
