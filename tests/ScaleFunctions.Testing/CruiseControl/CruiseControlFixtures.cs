namespace ScaleFunctions.Testing.CruiseControl;

/// <summary>
/// The real Cruise Control responses in <c>Reference/cruise-control/fixtures/</c> (see Reference/SOURCES.md), read
/// byte for byte.
/// </summary>
public static class CruiseControlFixtures
{
    public const string StateIdle = "strimzi/CC-State.json";
    public const string StateExecuting = "strimzi/CC-State-inExecution.json";
    public const string StateProposalNotReady = "strimzi/CC-State-proposal-not-ready.json";
    public const string StateFetchError = "strimzi/CC-State-fetch-error.json";
    public const string Rebalance = "strimzi/CC-Rebalance-no-goals.json";
    public const string RebalanceVerbose = "strimzi/CC-Rebalance-no-goals-verbose.json";
    public const string RebalanceInProgress = "strimzi/CC-Rebalance-no-goals-in-progress.json";
    public const string NotEnoughValidWindows = "strimzi/CC-Rebalance-NotEnoughValidWindows-error.json";
    public const string BadGoals = "strimzi/CC-Rebalance-bad-goals-error.json";
    public const string BrokerNotExist = "strimzi/CC-Broker-not-exist.json";
    public const string Stop = "strimzi/CC-Stop.json";
    public const string UserTaskActive = "strimzi/CC-User-task-rebalance-no-goals-Active.json";
    public const string UserTaskInExecution = "strimzi/CC-User-task-rebalance-no-goals-InExecution.json";
    public const string UserTaskCompleted = "strimzi/CC-User-task-rebalance-no-goals-Completed.json";
    public const string UserTaskCompletedWithError = "strimzi/CC-User-task-rebalance-no-goals-CompletedWithError.json";
    public const string UserTasksEmpty = "strimzi/CC-User-task-status-empty.json";
    public const string UserTaskFetchError = "strimzi/CC-User-task-status-fetch-error.json";
    public const string NewerOptimizationResult = "strimzi-topic-operator/topic-config-success.json";

    /// <summary>The user task id the rebalance user-task fixtures carry.</summary>
    public const string RebalanceUserTaskId = "rebalance-no-goals-response";

    public static string Directory { get; } = ReferenceFiles.Directory(Path.Combine("cruise-control", "fixtures"));

    public static byte[] Read(string fixture) => File.ReadAllBytes(Path.Combine(Directory, fixture));
}
