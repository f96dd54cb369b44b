using System.Diagnostics.Metrics;
using Cream.Api.Data;
using Cream.Api.Email;
using Cream.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using MimeKit;

namespace Cream.Api.Tests.Email;

/// <summary>The outbox through the real service and a real SMTP server: delivery, what is kept, outages and giving up.</summary>
public abstract class EmailDeliveryTests(MailFixture mail)
{
    private CreamApiFactory Factory => mail.Factory;
    private TestSmtpServer Smtp => mail.Smtp;

    [Fact]
    public async Task A_queued_message_arrives_over_SMTP_with_its_sender_recipient_subject_and_both_bodies()
    {
        var to = ApiHelpers.NewEmail("arrival");
        var message = EmailTemplates.Verification(to, $"https://app.example.com/account/verify-email?token={Guid.NewGuid():N}&lang=en", 24);

        await Factory.EnqueueAsync(message);
        var mailReceived = Assert.Single(await Smtp.WaitForAsync(1, m => m.EnvelopeTo.Contains(to), mail.Tick));

        Assert.Equal("no-reply@localhost", mailReceived.EnvelopeFrom);
        var from = Assert.Single(mailReceived.Message.From.Mailboxes);
        Assert.Equal(("Cream API", "no-reply@localhost"), (from.Name, from.Address));
        Assert.Equal(to, Assert.Single(mailReceived.Message.To.Mailboxes).Address);
        Assert.Equal(message.Subject, mailReceived.Message.Subject);
        Assert.Equal("multipart/alternative", mailReceived.Message.Body?.ContentType.MimeType);
        Assert.Equal(message.Text, Unix(mailReceived.Message.TextBody));
        Assert.Equal(message.Html, Unix(mailReceived.Message.HtmlBody));
        var row = await RowAsync(to);
        Assert.Equal($"{row.Id:N}@localhost", mailReceived.Message.MessageId);
    }

    [Fact]
    public async Task A_sent_message_keeps_no_body_and_its_log_line_masks_the_recipient_and_carries_no_link()
    {
        var to = $"alice-{Guid.NewGuid():N}@example.com";
        var token = Guid.NewGuid().ToString("N");
        var message = EmailTemplates.PasswordReset(to, $"https://app.example.com/account/reset-password?token={token}", 30);

        await Factory.EnqueueAsync(message);
        await Smtp.WaitForAsync(1, m => m.EnvelopeTo.Contains(to), mail.Tick);
        var row = await WaitForRowAsync(to, r => r.SentAt is not null);

        Assert.Equal(("", ""), (row.Text, row.Html));
        Assert.Null(row.ClaimedUntil);
        Assert.Equal(0, row.Attempts);
        await WaitForLogAsync(6010, row.Id); // written just after the row is marked sent
        var records = Factory.Logs.GetSnapshot();
        var sent = Assert.Single(records, r => r.Id.Id == 6010 && r.Message.Contains(row.Id.ToString(), StringComparison.Ordinal));
        Assert.Equal(LogLevel.Information, sent.Level);
        Assert.Equal("EmailSent", sent.Id.Name);
        Assert.Contains("a***@example.com", sent.Message, StringComparison.Ordinal);
        foreach (var record in records)
        {
            var text = record.Message + string.Join(" ", record.StructuredState?.Select(pair => pair.Value) ?? []);
            Assert.DoesNotContain(to, text, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(token, text, StringComparison.Ordinal);
            Assert.DoesNotContain("Someone asked to reset", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_message_queued_in_a_transaction_that_rolls_back_is_never_sent()
    {
        var rolledBack = MailHelpers.NewMessage();
        var committed = MailHelpers.NewMessage();
        await using (var scope = Factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<CreamDbContext>();
            var outbox = scope.ServiceProvider.GetRequiredService<IEmailOutbox>();
            await using var transaction = await db.Database.BeginTransactionAsync();
            outbox.Enqueue(db, rolledBack);
            await db.SaveChangesAsync();
            await transaction.RollbackAsync();
        }

        await Factory.EnqueueAsync(committed);
        await Smtp.WaitForAsync(1, m => m.Message.Subject == committed.Subject, mail.Tick);

        Assert.DoesNotContain(Smtp.Received, m => m.Message.Subject == rolledBack.Subject);
        Assert.False(await Factory.WithDbAsync(db => db.OutboxMessages.AnyAsync(m => m.Recipient == rolledBack.To)));
    }

    [Fact]
    public async Task Messages_queued_while_the_relay_is_down_wait_and_then_arrive_exactly_once()
    {
        var marker = Guid.NewGuid().ToString("N");
        var messages = Enumerable.Range(1, 5).Select(i => MailHelpers.NewMessage(subject: $"Outage {marker} #{i}")).ToArray();
        await Smtp.StopAsync();
        try
        {
            await Factory.EnqueueAsync(messages);
            var rows = await WaitForRowsAsync(marker, all => all.Count == 5 && all.All(r => r.Attempts >= 1));

            Assert.All(rows, row => Assert.Null(row.SentAt));
            Assert.All(rows, row => Assert.Null(row.FailedAt));
            Assert.All(rows, row => Assert.Contains("127.0.0.1", row.LastError, StringComparison.Ordinal));
            Assert.All(rows, row => Assert.NotEmpty(row.Text));
        }
        finally
        {
            await Smtp.StartAgainAsync();
        }

        await Smtp.WaitForAsync(5, m => (m.Message.Subject ?? "").Contains(marker, StringComparison.Ordinal), mail.Tick);
        for (var i = 0; i < 20; i++)
        {
            mail.Tick();
            await Task.Delay(20);
        }

        var received = Smtp.Received.Where(m => (m.Message.Subject ?? "").Contains(marker, StringComparison.Ordinal)).ToList();
        Assert.Equal(messages.Select(m => m.Subject).Order(), received.Select(m => m.Message.Subject).Order());
        Assert.Equal(5, received.Select(m => m.Message.MessageId).Distinct().Count());
        Assert.All(await WaitForRowsAsync(marker, all => all.All(r => r.SentAt is not null)), row => Assert.Null(row.LastError));
    }

    [Fact]
    public async Task A_message_that_keeps_failing_is_given_up_after_the_last_attempt_with_an_error_log_and_a_metric()
    {
        using var failed = new MetricCollector<long>(Factory.Services.GetRequiredService<IMeterFactory>(), EmailMetrics.MeterName, "cream.email.failed");
        var message = MailHelpers.NewMessage();
        OutboxMessage row;
        await Smtp.StopAsync();
        try
        {
            await Factory.EnqueueAsync(message);
            row = await WaitForRowAsync(message.To, r => r.FailedAt is not null);
        }
        finally
        {
            await Smtp.StartAgainAsync();
        }

        Assert.Equal(MailFixture.MaxAttempts, row.Attempts);
        Assert.Equal(("", ""), (row.Text, row.Html));
        Assert.Null(row.SentAt);
        await WaitForLogAsync(6013, row.Id); // the metric and the log line follow the row's update

        Assert.Equal(1, failed.GetMeasurementSnapshot().Sum(m => m.Value));
        var records = Factory.Logs.GetSnapshot().Where(r => r.Message.Contains(row.Id.ToString(), StringComparison.Ordinal)).ToList();
        Assert.Equal(MailFixture.MaxAttempts - 1, records.Count(r => r.Id.Id == 6012 && r.Level == LogLevel.Warning));
        var givenUp = Assert.Single(records, r => r.Id.Id == 6013);
        Assert.Equal((LogLevel.Error, "EmailGivenUp"), (givenUp.Level, givenUp.Id.Name));

        for (var i = 0; i < 10; i++)
        {
            mail.Tick();
            await Task.Delay(20);
        }

        Assert.DoesNotContain(Smtp.Received, m => m.Message.Subject == message.Subject);
    }

    [Fact]
    public async Task Finished_messages_are_deleted_after_the_retention_and_nothing_else()
    {
        var marker = $"Retention {Guid.NewGuid():N}";
        var now = Factory.Time.GetUtcNow().UtcDateTime;
        await Factory.WithDbAsync(db =>
        {
            db.OutboxMessages.AddRange(
                Row(marker, "old sent", now.AddDays(-9), sentAt: now.AddDays(-8)),
                Row(marker, "old given up", now.AddDays(-9), failedAt: now.AddDays(-8)),
                Row(marker, "recent sent", now.AddDays(-9), sentAt: now.AddDays(-6)),
                Row(marker, "old pending", now.AddDays(-9)));
            return db.SaveChangesAsync();
        });

        var deleted = await Factory.Services.GetRequiredService<EmailSender>().PruneAsync(CancellationToken.None);

        Assert.True(deleted >= 2);
        var left = await Factory.WithDbAsync(db => db.OutboxMessages.Where(m => m.Subject.StartsWith(marker)).Select(m => m.Subject).ToListAsync());
        Assert.Equal([$"{marker} old pending", $"{marker} recent sent"], left.Order());
    }

    private static OutboxMessage Row(string marker, string what, DateTime createdAt, DateTime? sentAt = null, DateTime? failedAt = null) => new()
    {
        Id = Guid.CreateVersion7(),
        Recipient = ApiHelpers.NewEmail(),
        Subject = $"{marker} {what}",
        Text = "",
        Html = "",
        CreatedAt = createdAt,
        NextAttemptAt = createdAt.AddDays(30), // not due: the sender leaves it alone
        SentAt = sentAt,
        FailedAt = failedAt,
    };

    private static string Unix(string? text) => (text ?? "").Replace("\r\n", "\n", StringComparison.Ordinal);

    private Task<OutboxMessage> RowAsync(string recipient) =>
        Factory.WithDbAsync(db => db.OutboxMessages.AsNoTracking().SingleAsync(m => m.Recipient == recipient));

    private async Task WaitForLogAsync(int eventId, Guid messageId)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!Factory.Logs.GetSnapshot().Any(r => r.Id.Id == eventId && r.Message.Contains(messageId.ToString(), StringComparison.Ordinal)))
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(10), $"No log line {eventId} for {messageId}.");
            await Task.Delay(20);
        }
    }

    private async Task<OutboxMessage> WaitForRowAsync(string recipient, Func<OutboxMessage, bool> done) =>
        Assert.Single(await WaitAsync(db => db.OutboxMessages.Where(m => m.Recipient == recipient), rows => rows.Count == 1 && done(rows[0])));

    private Task<List<OutboxMessage>> WaitForRowsAsync(string marker, Func<List<OutboxMessage>, bool> done) =>
        WaitAsync(db => db.OutboxMessages.Where(m => m.Subject.Contains(marker)), done);

    /// <summary>Moves the clock on until the rows satisfy <paramref name="done"/> (15 s at most).</summary>
    private async Task<List<OutboxMessage>> WaitAsync(Func<CreamDbContext, IQueryable<OutboxMessage>> query, Func<List<OutboxMessage>, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            var rows = await Factory.WithDbAsync(db => query(db).AsNoTracking().ToListAsync());
            if (done(rows))
            {
                return rows;
            }

            Assert.True(DateTime.UtcNow < deadline, $"The outbox rows did not get there: {string.Join("; ", rows.Select(r => $"{r.Attempts} attempts, sent {r.SentAt}, failed {r.FailedAt}"))}");
            mail.Tick();
            await Task.Delay(20);
        }
    }
}

public sealed class SqliteEmailDeliveryTests(SqliteMailFixture mail) : EmailDeliveryTests(mail), IClassFixture<SqliteMailFixture>;

public sealed class PostgresEmailDeliveryTests(PostgresMailFixture mail) : EmailDeliveryTests(mail), IClassFixture<PostgresMailFixture>;
