using System.Linq.Expressions;
using Cream.Api.Common;
using Cream.Api.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Cream.Api.Email;

/// <summary>
/// Delivers the outbox every <c>Email__PollSeconds</c>. Each message is claimed first by a
/// conditional <c>UPDATE</c> that sets its lease only where none is held, so of several
/// instances exactly one sends it; failures are retried with exponential backoff up to
/// <c>Email__MaxAttempts</c>. Sent and given-up messages lose their bodies at once and their
/// rows after <c>Email__RetentionDays</c> (<see cref="PruneAsync"/>, called by the retention
/// pruner with the other tables, every <c>Sessions__PruneIntervalMinutes</c>).
/// </summary>
public sealed class EmailSender(
    IServiceScopeFactory scopes,
    EmailDelivery delivery,
    IOptions<EmailOptions> options,
    EmailMetrics metrics,
    TimeProvider time,
    ILogger<EmailSender> logger) : BackgroundService
{
    /// <summary>How long a claim holds a message: far longer than a connection and one send can take.</summary>
    public static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);

    private const int PruneBatch = 500;

    private readonly EmailOptions _options = options.Value;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        switch (delivery.Transport)
        {
            case EmailTransport.Smtp:
                Log.EmailRelay(logger, delivery.SmtpHost!, _options.SmtpPort, _options.Security, delivery.From.Address);
                break;
            case EmailTransport.Pickup:
                Log.EmailPickupFolder(logger, delivery.PickupDirectory!);
                break;
            default:
                Log.EmailNotConfigured(logger);
                break;
        }

        return base.StartAsync(cancellationToken);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Periodic.RunAsync(TimeSpan.FromSeconds(_options.PollSeconds), time, RunOnceAsync,
            exception => Log.EmailRoundFailed(logger, exception), stoppingToken);

    /// <summary>One round: sends what is due, batch after batch. Returns how many were sent.</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        var sent = 0;
        if (delivery.Transport != EmailTransport.None)
        {
            BatchResult batch;
            do
            {
                batch = await SendBatchAsync(cancellationToken);
                sent += batch.Sent;
            }
            while (batch.Full && !cancellationToken.IsCancellationRequested);
        }

        return sent;
    }

    /// <param name="Full">Every message of a full batch was sent: more may be waiting.</param>
    private readonly record struct BatchResult(int Sent, bool Full);

    private async Task<BatchResult> SendBatchAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CreamDbContext>();
        var now = time.GetUtcNow().UtcDateTime;
        var due = await db.OutboxMessages.AsNoTracking().Where(Claimable(now))
            .OrderBy(m => m.NextAttemptAt).Select(m => m.Id).Take(_options.BatchSize)
            .ToListAsync(cancellationToken);
        if (due.Count == 0)
        {
            return new BatchResult(0, Full: false);
        }

        var sent = 0;
        await using var transport = delivery.Open();
        foreach (var id in due)
        {
            if (await ClaimAsync(db, id, cancellationToken) is not { } message)
            {
                continue; // another instance has it
            }

            try
            {
                var path = await transport.SendAsync(delivery.Compose(message), cancellationToken);
                await MarkSentAsync(db, message, path);
                sent++;
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                await RecordFailureAsync(db, message, exception);
                if (exception is MailTransportUnavailableException)
                {
                    break; // the others wait for the next round, their attempts untouched
                }
            }
        }

        return new BatchResult(sent, sent == _options.BatchSize);
    }

    /// <summary>Not sent, not given up, due, and held by nobody (or by a lease that has run out).</summary>
    private static Expression<Func<OutboxMessage, bool>> Claimable(DateTime now) => m =>
        m.SentAt == null && m.FailedAt == null && m.NextAttemptAt <= now && (m.ClaimedUntil == null || m.ClaimedUntil <= now);

    /// <summary>
    /// Takes the lease in one conditional statement: when two senders race, the database lets one
    /// update the row and re-checks the condition for the other, which then changes nothing.
    /// </summary>
    private async Task<OutboxMessage?> ClaimAsync(CreamDbContext db, Guid id, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var leaseEnd = now + Lease;
        var claimed = await db.OutboxMessages.Where(m => m.Id == id).Where(Claimable(now))
            .ExecuteUpdateAsync(set => set.SetProperty(m => m.ClaimedUntil, leaseEnd), cancellationToken);
        return claimed == 1
            ? await db.OutboxMessages.AsNoTracking().SingleAsync(m => m.Id == id, cancellationToken)
            : null;
    }

    // Once a message has gone out, what happened is recorded even while the host stops:
    // an unrecorded send would be sent again when the lease runs out.
    private async Task MarkSentAsync(CreamDbContext db, OutboxMessage message, string? path)
    {
        var now = time.GetUtcNow().UtcDateTime;
        await db.OutboxMessages.Where(m => m.Id == message.Id).ExecuteUpdateAsync(set => set
            .SetProperty(m => m.SentAt, now)
            .SetProperty(m => m.ClaimedUntil, (DateTime?)null)
            .SetProperty(m => m.LastError, (string?)null)
            .SetProperty(m => m.Text, "")
            .SetProperty(m => m.Html, ""), CancellationToken.None);
        metrics.Sent(delivery.Transport);
        var recipient = SendFailures.Mask(message.Recipient);
        if (path is null)
        {
            Log.EmailSent(logger, message.Id, recipient, message.Attempts + 1);
        }
        else
        {
            Log.EmailWrittenToPickup(logger, message.Id, recipient, path);
        }
    }

    private async Task RecordFailureAsync(CreamDbContext db, OutboxMessage message, Exception exception)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var attempts = message.Attempts + 1;
        var recipient = SendFailures.Mask(message.Recipient);
        var error = SendFailures.Describe(exception, message.Recipient, recipient);
        if (attempts >= _options.MaxAttempts || SendFailures.IsPermanent(exception))
        {
            await db.OutboxMessages.Where(m => m.Id == message.Id).ExecuteUpdateAsync(set => set
                .SetProperty(m => m.Attempts, attempts)
                .SetProperty(m => m.FailedAt, now)
                .SetProperty(m => m.ClaimedUntil, (DateTime?)null)
                .SetProperty(m => m.LastError, error)
                .SetProperty(m => m.Text, "")
                .SetProperty(m => m.Html, ""), CancellationToken.None);
            metrics.Failed();
            Log.EmailGivenUp(logger, message.Id, recipient, attempts, error);
            return;
        }

        var next = now + SendFailures.Backoff(_options, attempts);
        await db.OutboxMessages.Where(m => m.Id == message.Id).ExecuteUpdateAsync(set => set
            .SetProperty(m => m.Attempts, attempts)
            .SetProperty(m => m.NextAttemptAt, next)
            .SetProperty(m => m.ClaimedUntil, (DateTime?)null)
            .SetProperty(m => m.LastError, error), CancellationToken.None);
        metrics.Retried();
        Log.EmailAttemptFailed(logger, message.Id, recipient, attempts, _options.MaxAttempts, error, next);
    }

    /// <summary>Deletes sent and given-up rows older than <c>Email__RetentionDays</c>, in small batches; returns how many.</summary>
    public async Task<int> PruneAsync(CancellationToken cancellationToken)
    {
        var cutoff = time.GetUtcNow().UtcDateTime.AddDays(-_options.RetentionDays);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CreamDbContext>();
        int deleted, total = 0;
        do
        {
            deleted = await db.OutboxMessages
                .Where(m => m.CreatedAt < cutoff && (m.SentAt < cutoff || m.FailedAt < cutoff))
                .OrderBy(m => m.CreatedAt) // oldest first, and a stable batch
                .Take(PruneBatch)
                .ExecuteDeleteAsync(cancellationToken);
            total += deleted;
        }
        while (deleted == PruneBatch);

        if (total > 0)
        {
            Log.EmailsPruned(logger, total, cutoff);
        }

        return total;
    }
}
