using k8s.Models;

namespace ScaleFunctions.Koperator;

/// <summary>Volume sizes as Kubernetes quantities (KubernetesClient's <see cref="ResourceQuantity"/>), parsed without throwing.</summary>
public static class DiskSize
{
    public static ResourceQuantity? TryParse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        try
        {
            var quantity = new ResourceQuantity(text);
            _ = quantity.ToDecimal();
            return quantity;
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or OverflowException)
        {
            return null;
        }
    }

    /// <summary><paramref name="size"/> plus <paramref name="increment"/>, written in the size's own suffix format.</summary>
    public static ResourceQuantity Add(ResourceQuantity size, ResourceQuantity increment) =>
        new(size.ToDecimal() + increment.ToDecimal(), 0, size.Format);
}
