using Cream.Api.Tests.Infrastructure;

namespace Cream.Api.Tests.Email;

/// <summary>
/// A service instance whose outbox sends to a <see cref="TestSmtpServer"/>, with a sender that
/// polls every (fake) second, retries after 1 s then 2 s, and gives up after 4 attempts.
/// </summary>
public abstract class MailFixture : IAsyncLifetime
{
    public const int MaxAttempts = 4;

    public TestSmtpServer Smtp { get; private set; } = null!;

    public CreamApiFactory Factory { get; private set; } = null!;

    /// <summary>One step of the factory's clock, for <see cref="TestSmtpServer.WaitForAsync"/>.</summary>
    public Action Tick => MailHelpers.Tick(Factory);

    public static IReadOnlyDictionary<string, string?> SenderSettings(TestSmtpServer smtp) => new Dictionary<string, string?>(smtp.Settings)
    {
        ["Email:PollSeconds"] = "1",
        ["Email:RetrySeconds"] = "1",
        ["Email:MaxRetrySeconds"] = "2",
        ["Email:MaxAttempts"] = MaxAttempts.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    protected abstract CreamApiFactory Create(IReadOnlyDictionary<string, string?> settings);

    public async Task InitializeAsync()
    {
        if (TestServers.SkippedHere(this))
        {
            return;
        }

        Smtp = await TestSmtpServer.StartAsync();
        Factory = Create(SenderSettings(Smtp));
        await Factory.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        if (TestServers.SkippedHere(this))
        {
            return;
        }

        await ((IAsyncLifetime)Factory).DisposeAsync();
        await Smtp.DisposeAsync();
    }
}

public sealed class SqliteMailFixture : MailFixture
{
    protected override CreamApiFactory Create(IReadOnlyDictionary<string, string?> settings) => new SqliteApiFactory { Settings = settings };
}

[NeedsTestServers(TestServers.PostgresVariable)]
public sealed class PostgresMailFixture : MailFixture
{
    protected override CreamApiFactory Create(IReadOnlyDictionary<string, string?> settings) => new PostgresApiFactory { Settings = settings };
}
