using Cream.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Cream.Api.Tests.Email;

/// <summary>Two instances on one PostgreSQL database, both sending from its one outbox to one relay.</summary>
[NeedsTestServers(TestServers.PostgresVariable)]
public sealed class TwoSendersTests : IAsyncLifetime
{
    private TestSmtpServer _smtp = null!;
    private PostgresApiFactory _a = null!;
    private PostgresApiFactory _b = null!;

    public async Task InitializeAsync()
    {
        if (TestServers.SkippedHere(this))
        {
            return;
        }

        _smtp = await TestSmtpServer.StartAsync();
        var database = $"cream_mail_{Guid.NewGuid():N}";
        // Small batches, so that the two rounds interleave over many claims.
        var settings = new Dictionary<string, string?>(MailFixture.SenderSettings(_smtp)) { ["Email:BatchSize"] = "3" };
        _a = new PostgresApiFactory { DatabaseName = database, Settings = settings };
        _b = new PostgresApiFactory { DatabaseName = database, Settings = settings, OwnsDatabase = false, JwtSecret = _a.JwtSecret };
        await _a.InitializeAsync();
        await _b.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        if (TestServers.SkippedHere(this))
        {
            return;
        }

        await ((IAsyncLifetime)_b).DisposeAsync();
        await ((IAsyncLifetime)_a).DisposeAsync();
        await _smtp.DisposeAsync();
    }

    [Fact]
    public async Task Fifty_messages_sent_by_two_instances_from_one_outbox_each_arrive_exactly_once()
    {
        var messages = Enumerable.Range(1, 50).Select(i => MailHelpers.NewMessage(subject: $"Shared outbox #{i}")).ToArray();
        await _a.EnqueueAsync(messages[..25]);
        await _b.EnqueueAsync(messages[25..]);

        await _smtp.WaitForAsync(50, tick: MailHelpers.Tick(_a, _b), timeout: TimeSpan.FromSeconds(30));
        for (var i = 0; i < 20; i++)
        {
            MailHelpers.Tick(_a, _b)();
            await Task.Delay(20);
        }

        var received = _smtp.Received;
        Assert.Equal(50, received.Count);
        Assert.Equal(50, received.Select(m => m.Message.MessageId).Distinct().Count());
        Assert.Equal(messages.Select(m => m.Subject).Order(), received.Select(m => m.Message.Subject).Order());
        // Every send was recorded once, by whichever instance made it.
        var sentLines = SentLines(_a) + SentLines(_b);
        Assert.Equal(50, sentLines);
        Assert.Equal(50, await _a.WithDbAsync(db => db.OutboxMessages.CountAsync(m => m.SentAt != null && m.Text == "")));
    }

    private static int SentLines(CreamApiFactory instance) => instance.Logs.GetSnapshot().Count(r => r.Id.Id == 6010);
}
