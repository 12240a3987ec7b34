// Log alert rules on Application Insights: commands moved to the poison queue, and repeated failed executions.
// Each notifies the action group given, if any (without one the alerts still fire and show in the portal).

@description('Prefix of the alert rule names.')
param namePrefix string

@description('Azure region.')
param location string

@description('Tags for every resource.')
param tags object

@description('Name of the Application Insights component the rules query.')
param applicationInsightsName string

@description('Resource id of an existing action group to notify; empty for none.')
param actionGroupId string

@description('Failed executions of one function within 15 minutes that raise the failure alert.')
@minValue(1)
param failureThreshold int

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

var actions = {
  actionGroups: empty(actionGroupId) ? [] : [actionGroupId]
}

resource poisonAlert 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: '${namePrefix}-poison-messages'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'ScaleFunctions: command moved to the poison queue'
    description: 'A scaling command failed maxDequeueCount times and was moved to the poison queue. It was not applied: read its reason in the workbook (decision log) and the poison queue, then fix the cause and re-send or delete it.'
    severity: 1
    enabled: true
    scopes: [appInsights.id]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT5M'
    autoMitigate: false
    criteria: {
      allOf: [
        {
          query: 'traces | where message startswith "Message has reached MaxDequeueCount"'
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    actions: actions
  }
}

resource failureAlert 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: '${namePrefix}-repeated-failures'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'ScaleFunctions: repeated failed executions'
    description: 'A function failed repeatedly within 15 minutes (webhook intake, executor or rebalance check): storage, Kubernetes or Cruise Control is likely unreachable or denying access. GET /api/health says which.'
    severity: 2
    enabled: true
    scopes: [appInsights.id]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    autoMitigate: true
    criteria: {
      allOf: [
        {
          query: 'requests | where success == false | summarize failures = count() by operation_Name'
          timeAggregation: 'Total'
          metricMeasureColumn: 'failures'
          dimensions: [
            {
              name: 'operation_Name'
              operator: 'Include'
              values: ['*']
            }
          ]
          operator: 'GreaterThanOrEqual'
          threshold: failureThreshold
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    actions: actions
  }
}

output ruleIds array = [poisonAlert.id, failureAlert.id]
