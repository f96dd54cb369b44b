using Cream.Api.Email;
using Cream.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MimeKit;

namespace Cream.Api.Tests.Email;

/// <summary>Development without <c>Email__SmtpHost</c>: every message becomes an <c>.eml</c> file in the pickup folder.</summary>
public abstract class PickupFolderTests : IAsyncLifetime
{
    private readonly TempDirectory _data = new();
    private CreamApiFactory _factory = null!;

    protected abstract CreamApiFactory Create(IReadOnlyDictionary<string, string?> settings);

    public async Task InitializeAsync()
    {
        if (TestServers.SkippedHere(this))
        {
            return;
        }

        _factory = Create(new Dictionary<string, string?> { ["DataDirectory"] = _data.Path, ["Email:PollSeconds"] = "1" });
        await _factory.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        if (!TestServers.SkippedHere(this))
        {
            await ((IAsyncLifetime)_factory).DisposeAsync();
        }

        _data.Dispose();
    }

    [Fact]
    public async Task A_message_is_written_to_the_mail_folder_of_the_data_directory_and_the_log_says_where()
    {
        var folder = Path.Combine(_data.Path, "mail");
        var message = EmailTemplates.AlreadyRegistered(ApiHelpers.NewEmail("pickup"), "https://app.example.com/account/reset-password?token=t");

        Assert.True(_factory.Services.GetRequiredService<IEmailOutbox>().CanDeliver);
        await _factory.EnqueueAsync(message);
        var file = await WaitForFileAsync(folder);

        var written = await MimeMessage.LoadAsync(file);
        Assert.Equal(message.To, Assert.Single(written.To.Mailboxes).Address);
        Assert.Equal(message.Subject, written.Subject);
        Assert.Equal(message.Text, written.TextBody?.Replace("\r\n", "\n", StringComparison.Ordinal));
        Assert.Contains("reset-password?token=t", written.HtmlBody, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(folder, "*.partial"));
        var logged = await WaitForLogAsync(6011); // written just after the file is in place
        Assert.Equal(LogLevel.Information, logged.Level);
        Assert.Contains(file, logged.Message, StringComparison.Ordinal);
        Assert.Contains("p***@example.com", logged.Message, StringComparison.Ordinal);
        Assert.Contains(_factory.Logs.GetSnapshot(), r => r.Id.Id == 6001 && r.Message.Contains(folder, StringComparison.Ordinal));
    }

    private async Task<Microsoft.Extensions.Logging.Testing.FakeLogRecord> WaitForLogAsync(int eventId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            if (_factory.Logs.GetSnapshot().SingleOrDefault(r => r.Id.Id == eventId) is { } record)
            {
                return record;
            }

            Assert.True(DateTime.UtcNow < deadline, $"No log line {eventId}.");
            await Task.Delay(20);
        }
    }

    private async Task<string> WaitForFileAsync(string folder)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            if (Directory.Exists(folder) && Directory.GetFiles(folder, "*.eml") is [var file])
            {
                return file;
            }

            Assert.True(DateTime.UtcNow < deadline, "No .eml file was written.");
            MailHelpers.Tick(_factory)();
            await Task.Delay(20);
        }
    }
}

public sealed class SqlitePickupFolderTests : PickupFolderTests
{
    protected override CreamApiFactory Create(IReadOnlyDictionary<string, string?> settings) =>
        new SqliteApiFactory { EnvironmentName = "Development", Settings = settings };
}

[NeedsTestServers(TestServers.PostgresVariable)]
public sealed class PostgresPickupFolderTests : PickupFolderTests
{
    protected override CreamApiFactory Create(IReadOnlyDictionary<string, string?> settings) =>
        new PostgresApiFactory { EnvironmentName = "Development", Settings = settings };
}
