using k8s.Models;

namespace ScaleFunctions.Kubernetes;

/// <summary>
/// Volume sizes as Kubernetes quantities (KubernetesClient's <see cref="ResourceQuantity"/>), parsed without throwing:
/// null for anything that is not a quantity with a decimal value (NaN, 1e400, 1E3Gi, text).
/// </summary>
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
        // ArithmeticException: OverflowException (1e400), and DivideByZeroException for the "NaN" that
        // ResourceQuantity's constructor accepts.
        catch (Exception ex) when (ex is ArgumentException or FormatException or ArithmeticException)
        {
            return null;
        }
    }

    /// <summary><paramref name="size"/> plus <paramref name="increment"/>, written in the size's own suffix format.</summary>
    public static ResourceQuantity Add(ResourceQuantity size, ResourceQuantity increment) =>
        new(size.ToDecimal() + increment.ToDecimal(), 0, size.Format);
}
