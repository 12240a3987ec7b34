using System.Runtime.ExceptionServices;
using Microsoft.Azure.WebJobs.Host.Timers;

namespace ScaleFunctions.LocalHost;

/// <summary>
/// What the WebJobs SDK does with an exception no listener handled (storage unreachable after the client's retries, a
/// function timeout): as the Functions host does, log it and stop the application, instead of the SDK's default of
/// rethrowing it on a new thread, which kills the process without a log line or a graceful stop.
/// </summary>
public sealed partial class StopOnUnhandledException(IHostApplicationLifetime lifetime, ILogger<StopOnUnhandledException> logger) : IWebJobsExceptionHandler
{
    public Task OnTimeoutExceptionAsync(ExceptionDispatchInfo exceptionInfo, TimeSpan timeoutGracePeriod)
    {
        LogTimeout(logger, exceptionInfo.SourceException);
        lifetime.StopApplication();
        return Task.CompletedTask;
    }

    public Task OnUnhandledExceptionAsync(ExceptionDispatchInfo exceptionInfo)
    {
        LogUnhandled(logger, exceptionInfo.SourceException);
        lifetime.StopApplication();
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "A function timeout has occurred; the local host is stopping")]
    private static partial void LogTimeout(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Critical, Message = "An unhandled exception has occurred in the WebJobs host; the local host is stopping")]
    private static partial void LogUnhandled(ILogger logger, Exception exception);
}
