using System.Globalization;
using System.Text.RegularExpressions;
using ScaleFunctions.Commands;
using ScaleFunctions.Execution;

namespace ScaleFunctions.Koperator;

/// <summary>
/// Which broker, and which of its volumes, a PVC belongs to. Koperator names a broker's PVCs
/// <c>{cluster}-{brokerId}-storage-{index}-{random}</c> (generateName), where index is the position of the volume in
/// the broker's effective storageConfigs; it also labels them <c>brokerId</c>. The alert's <c>brokerId</c> label wins
/// when present (it must agree with the name when both are there); the volume is the alert's <c>mountPath</c> when
/// given, else the index from the name.
/// </summary>
public sealed record PvcOwner(int BrokerId, int? StorageIndex)
{
    public static (PvcOwner? Owner, BrokerPlan? Refusal) Find(string clusterName, ScaleTarget target)
    {
        var name = target.PersistentVolumeClaim;
        int? nameBroker = null;
        int? index = null;
        if (name is not null)
        {
            var match = Regex.Match(name, $"^{Regex.Escape(clusterName)}-([0-9]+)-storage-([0-9]+)-[a-z0-9]+$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
            if (match.Success
                && int.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var broker)
                && int.TryParse(match.Groups[2].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var storage))
            {
                nameBroker = broker;
                index = storage;
            }
        }

        if (target.BrokerId is { } labelled && nameBroker is { } named && labelled != named)
        {
            return (null, BrokerPlan.Refuse(ReasonCodes.PvcOwnerUnknown,
                $"the alert's brokerId label ({labelled}) disagrees with PVC {name}, which Koperator named for broker {named}"));
        }

        if ((target.BrokerId ?? nameBroker) is not { } brokerId)
        {
            return (null, BrokerPlan.Refuse(ReasonCodes.PvcOwnerUnknown, name is null
                ? "the alert names no persistentvolumeclaim and no brokerId"
                : $"PVC {name} does not follow Koperator's naming ({clusterName}-<brokerId>-storage-<n>-…) and the alert has no brokerId label"));
        }

        return (new PvcOwner(brokerId, index), null);
    }
}
