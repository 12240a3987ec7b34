// Azure Monitor workbook: decisions per cluster over time by outcome, queue depth and poison messages, rebalances,
// alert-to-action latency. The template is workbook.json; its resource placeholders are filled in here.

@description('Display name of the workbook.')
param displayName string

@description('Azure region.')
param location string

@description('Tags for every resource.')
param tags object

@description('Name of the Application Insights component the workbook reads.')
param applicationInsightsName string

@description('Name of the storage account whose queue metrics the workbook shows.')
param storageAccountName string

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

var template = replace(
  replace(loadTextContent('workbook.json'), '__APPLICATION_INSIGHTS_ID__', appInsights.id),
  '__STORAGE_ACCOUNT_ID__',
  storage.id
)

resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  name: guid(resourceGroup().id, appInsights.id, 'scalefunctions-workbook')
  location: location
  tags: tags
  kind: 'shared'
  properties: {
    displayName: displayName
    category: 'workbook'
    sourceId: appInsights.id
    serializedData: template
  }
}

output id string = workbook.id
