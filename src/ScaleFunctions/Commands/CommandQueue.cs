using System.ComponentModel.DataAnnotations;

namespace ScaleFunctions.Commands;

/// <summary>
/// The command queue (<c>ScaleCommandQueue</c>). Intake enqueues new commands; the executor puts deferred ones back
/// with a visibility delay. Throws when the queue cannot be reached.
/// </summary>
public interface ICommandQueue
{
    Task EnqueueAsync(ScaleCommand command, TimeSpan? visibilityDelay, CancellationToken cancellationToken);
}

/// <summary>
/// The command queue's name, from the flat setting <c>ScaleCommandQueue</c> (the queue trigger reads
/// <c>%ScaleCommandQueue%</c>). At most 56 characters, so that <c>&lt;name&gt;-poison</c> is a valid queue name too.
/// </summary>
public sealed class CommandQueueOptions
{
    public const string SettingName = "ScaleCommandQueue";
    public const string DefaultName = "scale-commands";

    [Required]
    [RegularExpression("^(?=.{3,56}$)[a-z0-9](?!.*--)[a-z0-9-]*[a-z0-9]$",
        ErrorMessage = "ScaleCommandQueue must be 3 to 56 lower-case letters, digits and single hyphens, starting and ending with a letter or digit.")]
    public string Name { get; set; } = DefaultName;

    public string PoisonName => $"{Name}-poison";
}
