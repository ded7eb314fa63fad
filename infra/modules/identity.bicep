// The one user-assigned identity the Function App runs as. Every data-plane role is granted to it, scoped to the
// resource it needs (see the other modules); nothing is granted at subscription or resource-group scope.
param name string
param location string
param tags object

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

output id string = identity.id
output name string = identity.name
output principalId string = identity.properties.principalId
output clientId string = identity.properties.clientId
