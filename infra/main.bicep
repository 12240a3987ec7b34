// ScaleFunctions: everything the app needs in one resource group. Deploy with main.bicepparam (docs/deploy.md).
//   identity → storage → monitoring → role assignments → Function App (Flex Consumption) → AKS access → workbook, alerts
// The app settings are assembled here, in one place; scripts/check-bicep.sh and DeployedSettings.Test.cs check them
// against the configuration the code reads.

import { managedCluster } from 'types.bicep'

@description('Azure region of every resource. Flex Consumption must be available there.')
param location string = resourceGroup().location

@description('Short name used in resource names, with a unique suffix derived from the resource group.')
@minLength(2)
@maxLength(12)
param baseName string = 'scalefn'

@description('Tags for every resource.')
param tags object = {}

@description('The Kafka clusters the app manages (Clusters__N__*). Alerts for any other cluster are ignored.')
param managedClusters managedCluster[]

@description('Name of the command queue (ScaleCommandQueue); its poison queue is <name>-poison.')
@minLength(3)
@maxLength(56)
param commandQueueName string = 'scale-commands'

@description('NCRONTAB schedule of the rebalance check (RebalanceSchedule). Default: every 5 minutes.')
param rebalanceSchedule string = '0 */5 * * * *'

@description('Resource id of the AKS cluster that runs the managed Kafka clusters; empty to configure Kubernetes access yourself.')
param aksClusterId string = ''

@description('Use the AKS private FQDN (private clusters; the app then needs network access to it).')
param aksUsePrivateFqdn bool = false

@description('Base64 PEM of the AKS cluster CA. Empty: read from the cluster user kubeconfig (needs listClusterUserCredential).')
param aksCertificateAuthorityData string = ''

@description('Azure RBAC for Kubernetes: AKS role given to the app in each managed namespace. Empty: Kubernetes RBAC (deploy/kubernetes/rbac.yaml).')
@allowed(['', 'Azure Kubernetes Service RBAC Writer', 'Azure Kubernetes Service RBAC Admin'])
param aksNamespaceRole string = ''

@description('Further settings of the app\'s features, name → value (Intake__*, Executor__*, Rebalance__*, CruiseControl__*). No secrets here.')
param featureSettings object = {}

@description('Largest webhook body accepted, in bytes (1 KiB to 16 MiB). One value for both limits: Intake__MaxBodyBytes (the app\'s 413) and FUNCTIONS_REQUEST_BODY_SIZE_LIMIT (the Functions host, which reads the body before the app sees it).')
@minValue(1024)
@maxValue(16777216)
param maxWebhookBodyBytes int = 1048576

@description('Start the .NET isolated worker without the platform\'s placeholder (WEBSITE_USE_PLACEHOLDER_DOTNETISOLATED=0): the workaround for .NET 10 workers crashing with exit code 139 on Flex Consumption (azure-functions-dotnet-worker#3335). Costs some cold-start time; set false once that issue is fixed.')
param disableDotnetIsolatedPlaceholder bool = true

@description('Settings that are credentials, name → value (Auth__BearerToken, Auth__BasicPassword, …).')
@secure()
param secretSettings object = {}

@description('Resource id of an existing action group the alert rules notify; empty for none.')
param actionGroupId string = ''

@description('Failed executions of one function within 15 minutes that raise the failure alert.')
@minValue(1)
param failureAlertThreshold int = 3

@description('Most instances the Flex Consumption plan may scale out to.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Memory of each instance, in MB.')
@allowed([512, 2048, 4096])
param instanceMemoryMB int = 2048

@description('Days Log Analytics keeps data.')
@minValue(30)
@maxValue(730)
param logRetentionInDays int = 30

var token = toLower(uniqueString(subscription().id, resourceGroup().id, baseName))
var names = {
  identity: 'id-${baseName}-${token}'
  storage: take('st${replace(baseName, '-', '')}${token}', 24)
  logAnalytics: 'log-${baseName}-${token}'
  applicationInsights: 'appi-${baseName}-${token}'
  plan: 'asp-${baseName}-${token}'
  app: 'func-${baseName}-${token}'
  deploymentContainer: 'app-package-${take(token, 7)}'
}

// The resolved-alerts table keeps intake's default name (Intake__ResolutionsTable = resolvedalerts).
var resolvedAlertsTableName = 'resolvedalerts'

module identity 'app/identity.bicep' = {
  name: 'identity'
  params: {
    name: names.identity
    location: location
    tags: tags
  }
}

module storage 'app/storage.bicep' = {
  name: 'storage'
  params: {
    name: names.storage
    location: location
    tags: tags
    commandQueueName: commandQueueName
    resolvedAlertsTableName: resolvedAlertsTableName
    deploymentContainerName: names.deploymentContainer
  }
}

module monitoring 'app/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    logAnalyticsName: names.logAnalytics
    applicationInsightsName: names.applicationInsights
    location: location
    tags: tags
    retentionInDays: logRetentionInDays
  }
}

module rbac 'app/rbac.bicep' = {
  name: 'rbac'
  dependsOn: [identity, storage, monitoring]
  params: {
    identityName: names.identity
    storageAccountName: names.storage
    applicationInsightsName: names.applicationInsights
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: names.applicationInsights
  dependsOn: [monitoring]
}

var identityId = resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', names.identity)

// ---- AKS (optional) ----
var aksIdParts = split(aksClusterId, '/')
var useAks = !empty(aksClusterId)
// Scopes must be computable even when no AKS cluster is given: fall back to this deployment's own scope.
var aksSubscriptionId = useAks ? aksIdParts[2] : subscription().subscriptionId
var aksResourceGroup = useAks ? aksIdParts[4] : resourceGroup().name

resource aks 'Microsoft.ContainerService/managedClusters@2024-09-01' existing = if (useAks) {
  name: useAks ? last(aksIdParts) : 'none'
  scope: resourceGroup(aksSubscriptionId, aksResourceGroup)
}

// The cluster user kubeconfig carries the CA (and no credential on an Entra ID cluster); its YAML is regular enough
// to cut the certificate-authority-data line out.
var aksKubeconfig = useAks && empty(aksCertificateAuthorityData)
  ? base64ToString(aks!.listClusterUserCredential().kubeconfigs[0].value)
  : ''
var aksCa = !empty(aksCertificateAuthorityData)
  ? aksCertificateAuthorityData
  : (useAks ? trim(split(split(aksKubeconfig, 'certificate-authority-data:')[1], '\n')[0]) : '')

module aksAccess 'app/aks-access.bicep' = if (useAks && !empty(aksNamespaceRole)) {
  name: 'aks-access'
  scope: resourceGroup(aksSubscriptionId, aksResourceGroup)
  params: {
    clusterName: last(aksIdParts)
    namespaces: union(map(managedClusters, c => c.namespace), [])
    identityId: identityId
    principalId: identity.outputs.principalId
    roleName: aksNamespaceRole
  }
}

// ---- App settings: every one is read by the app or its host ----
var storageSettings = {
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identity.outputs.clientId
  AzureWebJobsStorage__blobServiceUri: storage.outputs.blobEndpoint
  AzureWebJobsStorage__queueServiceUri: storage.outputs.queueEndpoint
  AzureWebJobsStorage__tableServiceUri: storage.outputs.tableEndpoint
}

var telemetrySettings = {
  APPLICATIONINSIGHTS_CONNECTION_STRING: appInsights.properties.ConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identity.outputs.clientId};Authorization=AAD'
}

var functionSettings = {
  ScaleCommandQueue: storage.outputs.commandQueueName
  RebalanceSchedule: rebalanceSchedule
}

// The host enforces its own body limit before the app's 413; both come from one parameter, applied after
// featureSettings so that a stray Intake__MaxBodyBytes there cannot make them differ.
var bodyLimitSettings = {
  FUNCTIONS_REQUEST_BODY_SIZE_LIMIT: string(maxWebhookBodyBytes)
  Intake__MaxBodyBytes: string(maxWebhookBodyBytes)
}

var workerStartSettings = disableDotnetIsolatedPlaceholder ? { WEBSITE_USE_PLACEHOLDER_DOTNETISOLATED: '0' } : {}

var clusterSettings = reduce(
  range(0, length(managedClusters)),
  {},
  (settings, i) =>
    union(
      settings,
      {
        'Clusters__${i}__Namespace': managedClusters[i].namespace
        'Clusters__${i}__Name': managedClusters[i].name
        'Clusters__${i}__Kind': managedClusters[i].?kind ?? 'KafkaCluster'
        'Clusters__${i}__MinBrokers': string(managedClusters[i].minBrokers)
        'Clusters__${i}__MaxBrokers': string(managedClusters[i].maxBrokers)
      },
      toObject(
        items(managedClusters[i].?settings ?? {}),
        setting => 'Clusters__${i}__${setting.key}',
        setting => string(setting.value)
      )
    )
)

var kubernetesSettings = useAks
  ? {
      Kubernetes__Mode: 'AksEntraId'
      Kubernetes__Server: 'https://${aksUsePrivateFqdn ? aks!.properties.privateFQDN : aks!.properties.fqdn}:443'
      Kubernetes__CertificateAuthorityData: aksCa
      Kubernetes__ManagedIdentityClientId: identity.outputs.clientId
    }
  : {}

module app 'app/function-app.bicep' = {
  name: 'function-app'
  dependsOn: [rbac]
  params: {
    name: names.app
    planName: names.plan
    location: location
    tags: tags
    identityId: identity.outputs.id
    deploymentContainerUrl: storage.outputs.deploymentContainerUrl
    appSettings: union(
      storageSettings,
      telemetrySettings,
      functionSettings,
      clusterSettings,
      kubernetesSettings,
      featureSettings,
      bodyLimitSettings,
      workerStartSettings
    )
    secretAppSettings: secretSettings
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
  }
}

module workbook 'app/workbook.bicep' = {
  name: 'workbook'
  params: {
    displayName: 'ScaleFunctions (${names.app})'
    location: location
    tags: tags
    applicationInsightsName: names.applicationInsights
    storageAccountName: names.storage
  }
  dependsOn: [monitoring, storage]
}

module alerts 'app/alerts.bicep' = {
  name: 'alerts'
  dependsOn: [monitoring]
  params: {
    namePrefix: names.app
    location: location
    tags: tags
    applicationInsightsName: names.applicationInsights
    actionGroupId: actionGroupId
    failureThreshold: failureAlertThreshold
  }
}

@description('Name of the Function App (for az functionapp commands and the pipeline).')
output functionAppName string = app.outputs.name

@description('Alertmanager webhook URL. Authenticate with the function key (never an output): docs/deploy.md.')
output webhookUrl string = 'https://${app.outputs.defaultHostName}/api/alerts'

@description('Health endpoint (function key required).')
output healthUrl string = 'https://${app.outputs.defaultHostName}/api/health'

@description('Client id of the app\'s managed identity.')
output identityClientId string = identity.outputs.clientId

@description('Object id of the app\'s managed identity: the subject of deploy/kubernetes/rbac.yaml\'s RoleBinding.')
output identityPrincipalId string = identity.outputs.principalId

@description('Name of the storage account (queues scale-commands and scale-commands-poison).')
output storageAccountName string = storage.outputs.name

@description('Name of the Application Insights component.')
output applicationInsightsName string = monitoring.outputs.applicationInsightsName

@description('Resource id of the workbook.')
output workbookId string = workbook.outputs.id
