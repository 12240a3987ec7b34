namespace ScaleFunctions.Kubernetes;

/// <summary>
/// A write lost a race that the API server did not answer with 409: a JSON Patch is applied to the object as it is now
/// before the resourceVersion is compared, so on an object changed since the reading a path of the patch may no longer
/// exist, and that answers 422. The object's resourceVersion, read again, moved: a conflict (read again, decide again),
/// not a refusal. <see cref="KubernetesErrors.IsConflict"/> is true for it.
/// </summary>
public sealed class KubernetesConflictException(string message, Exception innerException) : Exception(message, innerException);
