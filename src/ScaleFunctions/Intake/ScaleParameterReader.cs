using ScaleFunctions.Commands;
using ScaleFunctions.Configuration;

namespace ScaleFunctions.Intake;

/// <summary>
/// Reads and validates the target and the parameters a command uses from one alert's labels and annotations (rules in
/// <see cref="ParameterRules"/>); an empty annotation counts as absent. Which command takes which, for Koperator and
/// Strimzi: docs/intake.md#commands-targets-and-parameters.
/// </summary>
public sealed class ScaleParameterReader(IntakeOptions options)
{
    public ScaleParameterReading Read(ScaleCommandKind kind, Alert alert, ClusterKind clusterKind = ClusterKind.KafkaCluster)
    {
        var reading = new Reading(alert, options, clusterKind == ClusterKind.KafkaNodePool);
        return kind switch
        {
            ScaleCommandKind.UpScale => reading.UpScale(),
            ScaleCommandKind.DownScale => reading.DownScale(),
            ScaleCommandKind.AddPvc => reading.AddPvc(),
            ScaleCommandKind.ResizePvc => reading.ResizePvc(),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown command."),
        };
    }

    private sealed class Reading(Alert alert, IntakeOptions options, bool strimzi)
    {
        private readonly List<string> errors = [];

        /// <summary>Strimzi: the node pool the alert names (its brokerConfigGroup), part of the target.</summary>
        private string? Pool => strimzi ? Check(Annotation("brokerConfigGroup"), v => (ParameterRules.ConfigGroup(v, out var e), e)) : null;

        public ScaleParameterReading UpScale()
        {
            var (storageClass, mountPath, diskSize) = (Annotation("storageClass"), Annotation("mountPath"), Annotation("diskSize"));
            var parameters = new ScaleParameters
            {
                BrokerConfigGroup = Check(Annotation("brokerConfigGroup"), v => (ParameterRules.ConfigGroup(v, out var e), e)),
                StorageClass = Check(storageClass, v => (ParameterRules.ObjectName("storageClass", v, out var e), e)),
                MountPath = Check(mountPath, v => (ParameterRules.MountPath(v, out var e), e)),
                DiskSize = Check(diskSize, v => (ParameterRules.Quantity("diskSize", v, out var e), e)),
                Image = Check(Annotation("image"), options.AllowedImagePrefixes, static (v, prefixes) => (ParameterRules.Image(v, prefixes, out var e), e)),
                BrokerAnnotations = Check(Annotation("brokerAnnotations"), options.AllowBrokerAnnotations, static (v, allowed) => (ParameterRules.BrokerAnnotations(v, allowed, out var e), e)),
            };
            var volume = storageClass is not null || mountPath is not null || diskSize is not null;
            if (volume && (mountPath is null || diskSize is null))
            {
                errors.Add("upScale with a storage volume needs both mountPath and diskSize.");
            }

            return Result(strimzi ? new ScaleTarget(NodePool: parameters.BrokerConfigGroup) : ScaleTarget.Cluster, parameters);
        }

        public ScaleParameterReading DownScale()
        {
            var label = Label("brokerId");
            int? brokerId = null;
            if (label is not null)
            {
                brokerId = ParameterRules.BrokerId(label, out var error);
                AddError(error);
            }

            return Result(new ScaleTarget(BrokerId: brokerId, NodePool: Pool), new ScaleParameters());
        }

        public ScaleParameterReading AddPvc()
        {
            var claim = strimzi && Label("persistentvolumeclaim") is null ? null : Claim();
            var parameters = new ScaleParameters
            {
                StorageClass = Check(Annotation("storageClass"), v => (ParameterRules.ObjectName("storageClass", v, out var e), e)),
                MountPath = Check(strimzi ? Annotation("mountPath") : Required("mountPath"), v => (ParameterRules.MountPath(v, out var e), e)),
                DiskSize = Check(Required("diskSize"), v => (ParameterRules.Quantity("diskSize", v, out var e), e)),
            };
            return Result(new ScaleTarget(PersistentVolumeClaim: claim, NodePool: Pool), parameters);
        }

        public ScaleParameterReading ResizePvc()
        {
            var claim = Claim();
            var parameters = new ScaleParameters
            {
                IncrementBy = Check(Required("incrementBy"), v => (ParameterRules.Quantity("incrementBy", v, out var e), e)),
            };
            return Result(new ScaleTarget(PersistentVolumeClaim: claim, NodePool: Pool), parameters);
        }

        private string? Claim()
        {
            var label = Label("persistentvolumeclaim");
            if (label is null)
            {
                errors.Add("the label persistentvolumeclaim is required: it names the volume the command is about.");
                return null;
            }

            var claim = ParameterRules.ObjectName("persistentvolumeclaim", label, out var error);
            AddError(error);
            return claim;
        }

        private T? Check<T>(string? value, Func<string, (T? Value, string? Error)> rule)
            where T : class => Check(value, rule, static (v, rule) => rule(v));

        // The rule's setting is passed in, not captured: a static lambda is not allocated per alert.
        private T? Check<T, TSetting>(string? value, TSetting setting, Func<string, TSetting, (T? Value, string? Error)> rule)
            where T : class
        {
            if (value is null)
            {
                return null;
            }

            var (result, error) = rule(value, setting);
            AddError(error);
            return result;
        }

        private string? Required(string name)
        {
            var value = Annotation(name);
            if (value is null)
            {
                errors.Add($"the annotation {name} is required.");
            }

            return value;
        }

        private string? Annotation(string name) => NonEmpty(alert.Annotations, name);

        private string? Label(string name) => NonEmpty(alert.Labels, name);

        private static string? NonEmpty(IReadOnlyDictionary<string, string> map, string name) =>
            map.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value : null;

        private void AddError(string? error)
        {
            if (error is not null)
            {
                errors.Add(error);
            }
        }

        private ScaleParameterReading Result(ScaleTarget target, ScaleParameters parameters) =>
            new(target, parameters, errors);
    }
}

/// <summary>What <see cref="ScaleParameterReader"/> read: the target, the parameters, and every problem found.</summary>
public sealed record ScaleParameterReading(ScaleTarget Target, ScaleParameters Parameters, IReadOnlyList<string> Errors)
{
    public bool IsValid => Errors.Count == 0;
}
