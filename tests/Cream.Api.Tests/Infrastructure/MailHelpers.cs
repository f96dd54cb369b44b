using Cream.Api.Data;
using Cream.Api.Email;
using Microsoft.Extensions.DependencyInjection;

namespace Cream.Api.Tests.Infrastructure;

/// <summary>Putting mail into a service's outbox and moving its sender along, for tests.</summary>
public static class MailHelpers
{
    /// <summary>Queues the messages through the service's own outbox and commits them, as a feature's action would.</summary>
    public static async Task EnqueueAsync(this CreamApiFactory factory, params EmailMessage[] messages)
    {
        ArgumentNullException.ThrowIfNull(factory);
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CreamDbContext>();
        var outbox = scope.ServiceProvider.GetRequiredService<IEmailOutbox>();
        foreach (var message in messages)
        {
            outbox.Enqueue(db, message);
        }

        await db.SaveChangesAsync();
    }

    /// <summary>A step of the sender's clock: one poll interval (tests set <c>Email:PollSeconds</c> to 1).</summary>
    public static Action Tick(params CreamApiFactory[] instances) => () =>
    {
        foreach (var instance in instances)
        {
            instance.Time.Advance(TimeSpan.FromSeconds(1));
        }
    };

    /// <summary>A message with a subject no other test uses, to find it among everything received.</summary>
    public static EmailMessage NewMessage(string? to = null, string? subject = null) =>
        new(to ?? ApiHelpers.NewEmail(), subject ?? $"Test {Guid.NewGuid():N}", "Plain text body", "<p>HTML body</p>");
}
