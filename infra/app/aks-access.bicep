// Optional: Azure RBAC for Kubernetes on an existing AKS cluster. Deployed in the cluster's resource group.
// Assigns one AKS built-in role to the app's identity in each managed namespace (scope <cluster id>/namespaces/<ns>).
// Not needed when the cluster authorizes with Kubernetes RBAC: apply deploy/kubernetes/rbac.yaml instead
// (docs/deploy.md explains both).

@description('Name of the AKS cluster (in this resource group).')
param clusterName string

@description('Namespaces of the managed Kafka clusters.')
param namespaces array

@description('Resource id of the app\'s user-assigned managed identity (names the assignments).')
param identityId string

@description('Principal (object) id of the app\'s managed identity.')
param principalId string

@description('AKS built-in role to assign in each namespace: Azure Kubernetes Service RBAC Writer or … Admin.')
param roleName string

var roleIds = {
  'Azure Kubernetes Service RBAC Writer': 'a7ffa36f-339b-4b5c-8bdf-e2c188b2c0eb'
  'Azure Kubernetes Service RBAC Admin': '3498e952-d568-435e-9b2c-8d77e338d7f7'
}

resource cluster 'Microsoft.ContainerService/managedClusters@2024-09-01' existing = {
  name: clusterName
}

// Kubernetes namespaces are not ARM resources with published types, but Azure RBAC accepts them as a scope.
#disable-next-line BCP081
resource namespace 'Microsoft.ContainerService/managedClusters/namespaces@2024-09-01' existing = [
  for ns in namespaces: {
    parent: cluster
    name: ns
  }
]

resource namespaceRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (ns, i) in namespaces: {
    name: guid(namespace[i].id, identityId, roleIds[roleName])
    scope: namespace[i]
    properties: {
      principalId: principalId
      principalType: 'ServicePrincipal'
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds[roleName])
    }
  }
]
