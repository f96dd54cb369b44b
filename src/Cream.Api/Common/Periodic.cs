namespace Cream.Api.Common;

public static class Periodic
{
    /// <summary>
    /// Runs <paramref name="work"/> every <paramref name="interval"/> until stopped; a failure is
    /// reported and the loop goes on. One-shot delays rather than a periodic timer: after a long
    /// pause (or a test's clock jump) there is one catch-up round, not one per missed period.
    /// </summary>
    public static async Task RunAsync(TimeSpan interval, TimeProvider time, Func<CancellationToken, Task> work, Action<Exception> onFailure, CancellationToken stoppingToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        ArgumentNullException.ThrowIfNull(onFailure);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await Task.Delay(interval, time, stoppingToken);
                try
                {
                    await work(stoppingToken);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    onFailure(exception);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // shutting down
        }
    }
}
