using System.Threading.Channels;

namespace Cream.Api.Auth.Accounts;

/// <summary>
/// Forgot-password requests, handled off the request: the endpoint only hands the email over
/// and answers, so known and unknown emails cost the caller the same time. A request that
/// finds the queue full is dropped (logged): under such a flood nobody is owed a link, and a
/// real user can ask again.
/// </summary>
internal sealed class PasswordResetRequests(IServiceScopeFactory scopes, ILogger<PasswordResetRequests> logger) : BackgroundService
{
    public const int Capacity = 1_000;

    private readonly Channel<string> _queue = Channel.CreateBounded<string>(
        new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    /// <summary>Queues a request; never waits.</summary>
    public void Enqueue(string email)
    {
        if (!_queue.Writer.TryWrite(email))
        {
            Log.ResetRequestDropped(logger);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var email in _queue.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<PasswordResets>().SendLinkAsync(email, stoppingToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                Log.ResetRequestFailed(logger, exception);
            }
        }
    }
}
