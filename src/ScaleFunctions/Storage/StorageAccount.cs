using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;

namespace ScaleFunctions.Storage;

/// <summary>
/// The storage account named by <c>AzureWebJobsStorage</c>, as the Functions host reads it: either a connection string
/// (<c>UseDevelopmentStorage=true</c> for Azurite) or the identity-based form
/// (<c>AzureWebJobsStorage__queueServiceUri</c>, <c>__tableServiceUri</c>, <c>__credential</c>, <c>__clientId</c>).
/// Queue messages use base64, the encoding the Functions queue trigger reads.
/// </summary>
public sealed class StorageAccount
{
    public const string SettingName = "AzureWebJobsStorage";

    private readonly string? connectionString;
    private readonly Uri? queueServiceUri;
    private readonly Uri? tableServiceUri;
    private readonly TokenCredential? credential;

    public StorageAccount(IConfiguration configuration)
    {
        var section = configuration.GetSection(SettingName);
        connectionString = section.Value;
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            connectionString = null;
            var accountName = section["accountName"];
            queueServiceUri = Uri(section["queueServiceUri"]) ?? (accountName is null ? null : new Uri($"https://{accountName}.queue.core.windows.net"));
            tableServiceUri = Uri(section["tableServiceUri"]) ?? (accountName is null ? null : new Uri($"https://{accountName}.table.core.windows.net"));
            if (queueServiceUri is null)
            {
                throw new InvalidOperationException(
                    $"Storage is not configured: set {SettingName} to a connection string, or {SettingName}__queueServiceUri (identity-based).");
            }

            var clientId = section["clientId"];
            credential = string.Equals(section["credential"], "managedidentity", StringComparison.OrdinalIgnoreCase)
                ? new ManagedIdentityCredential(string.IsNullOrEmpty(clientId) ? ManagedIdentityId.SystemAssigned : ManagedIdentityId.FromUserAssignedClientId(clientId))
                : new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = clientId });
        }
    }

    public bool IsDevelopmentStorage =>
        connectionString?.Contains("UseDevelopmentStorage=true", StringComparison.OrdinalIgnoreCase) == true;

    public QueueClient GetQueue(string name)
    {
        var options = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 };
        return connectionString is not null
            ? new QueueClient(connectionString, name, options)
            : new QueueClient(new Uri(queueServiceUri!, name), credential, options);
    }

    public TableClient GetTable(string name)
    {
        if (connectionString is not null)
        {
            return new TableClient(connectionString, name);
        }

        var endpoint = tableServiceUri ?? throw new InvalidOperationException(
            $"Table storage is not configured: set {SettingName}__tableServiceUri (identity-based).");
        return new TableClient(endpoint, name, credential);
    }

    private static Uri? Uri(string? value) => string.IsNullOrWhiteSpace(value) ? null : new Uri(value);
}
