using 'main.bicep'

param endpoint = readEnvironmentVariable('SLUICE_ENDPOINT', 'http://127.0.0.1:7071')
param functionKey = readEnvironmentVariable('SLUICE_FUNCTION_KEY', '')
param countries = ['UK', 'DE', 'FR', 'ES', 'IT', 'NL']
param objectTypes = ['Account', 'Contact', 'Opportunity', 'Lead']
param crmCapacity = 3
param warehouseCapacity = 4
param completionWebhookUrl = readEnvironmentVariable('SLUICE_COMPLETION_WEBHOOK', 'https://hooks.example.com/sluice/load-complete')
