using System.Collections.Concurrent;
using Cream.Api.Auth.Tokens;
using Microsoft.Extensions.Hosting;

namespace Cream.Api.Tests.Auth.Tokens;

/// <summary>The zero-configuration Development key: made once, kept private, reused, and never used elsewhere.</summary>
public sealed class DevelopmentSigningKeyTests : IDisposable
{
    private const string KeyFileName = "development-jwt-secret";

    private readonly string _root = Directory.CreateTempSubdirectory("cream-signing-key-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>A host builder without environment variables, settings files or user secrets, rooted in a temp folder.</summary>
    private HostApplicationBuilder Builder(string environment = "Development", string? dataDirectory = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            DisableDefaults = true,
            EnvironmentName = environment,
            ContentRootPath = _root,
        });
        builder.Configuration["DataDirectory"] = dataDirectory ?? Path.Combine(_root, "data");
        return builder;
    }

    [Fact]
    public void In_development_without_a_secret_a_key_file_is_generated_and_used()
    {
        var builder = Builder();

        var key = DevelopmentSigningKey.ApplyIfNeeded(builder);

        Assert.NotNull(key);
        Assert.Equal(Path.Combine(_root, "data", KeyFileName), key.KeyPath);
        var secret = builder.Configuration["Jwt:Secret"];
        Assert.Equal(File.ReadAllText(key.KeyPath), secret);
        Assert.True(Convert.FromBase64String(secret!).Length >= 32);
        Assert.Null(JwtOptionsValidator.DescribeSecretProblem(secret));
    }

    [Fact]
    public void Without_a_data_directory_the_key_is_kept_in_App_Data_under_the_content_root()
    {
        var builder = Builder(dataDirectory: " ");

        var key = DevelopmentSigningKey.ApplyIfNeeded(builder);

        Assert.Equal(Path.Combine(_root, "App_Data", KeyFileName), key!.KeyPath);
        Assert.True(File.Exists(key.KeyPath));
    }

    [Fact]
    public void A_second_start_reuses_the_key_of_the_first()
    {
        var first = Builder();
        var firstKey = DevelopmentSigningKey.ApplyIfNeeded(first);
        var written = File.GetLastWriteTimeUtc(firstKey!.KeyPath);
        var second = Builder();

        var secondKey = DevelopmentSigningKey.ApplyIfNeeded(second);

        Assert.Equal(firstKey, secondKey);
        Assert.Equal(first.Configuration["Jwt:Secret"], second.Configuration["Jwt:Secret"]);
        Assert.Equal(written, File.GetLastWriteTimeUtc(secondKey!.KeyPath));
        // The key and the lock that serialises its creation; no temporary file is left behind.
        Assert.Equal(
            [secondKey.KeyPath, secondKey.KeyPath + ".lock"],
            Directory.GetFiles(Path.GetDirectoryName(secondKey.KeyPath)!).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Separate_data_folders_get_separate_keys()
    {
        var first = Builder(dataDirectory: Path.Combine(_root, "one"));
        var second = Builder(dataDirectory: Path.Combine(_root, "two"));

        DevelopmentSigningKey.ApplyIfNeeded(first);
        DevelopmentSigningKey.ApplyIfNeeded(second);

        Assert.NotEqual(first.Configuration["Jwt:Secret"], second.Configuration["Jwt:Secret"]);
    }

    [Fact]
    public void The_key_file_is_readable_and_writable_by_its_owner_only()
    {
        var key = DevelopmentSigningKey.ApplyIfNeeded(Builder());

        if (OperatingSystem.IsWindows())
        {
            return;
        }

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key!.KeyPath));
    }

    [Theory]
    [InlineData("Production")]
    [InlineData("Staging")]
    [InlineData("Testing")]
    public void Outside_development_nothing_is_generated(string environment)
    {
        var builder = Builder(environment);

        var key = DevelopmentSigningKey.ApplyIfNeeded(builder);

        Assert.Null(key);
        Assert.Null(builder.Configuration["Jwt:Secret"]);
        Assert.False(Directory.Exists(Path.Combine(_root, "data")));
    }

    [Fact]
    public void In_development_a_configured_secret_is_left_alone()
    {
        var builder = Builder();
        var secret = TestTokens.NewSecret();
        builder.Configuration["Jwt:Secret"] = secret;

        var key = DevelopmentSigningKey.ApplyIfNeeded(builder);

        Assert.Null(key);
        Assert.Equal(secret, builder.Configuration["Jwt:Secret"]);
        Assert.False(Directory.Exists(Path.Combine(_root, "data")));
    }

    [Fact]
    public void In_development_a_blank_secret_counts_as_not_set()
    {
        var builder = Builder();
        builder.Configuration["Jwt:Secret"] = "   ";

        var key = DevelopmentSigningKey.ApplyIfNeeded(builder);

        Assert.NotNull(key);
        Assert.Null(JwtOptionsValidator.DescribeSecretProblem(builder.Configuration["Jwt:Secret"]));
    }

    [Fact]
    public void No_builder_throws()
    {
        Assert.Throws<ArgumentNullException>("builder", () => DevelopmentSigningKey.ApplyIfNeeded(null!));
    }

    [Fact]
    public void A_key_file_left_empty_by_an_interrupted_first_start_is_not_used_as_the_secret()
    {
        var folder = Path.Combine(_root, "data");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, KeyFileName), string.Empty);
        var builder = Builder();

        DevelopmentSigningKey.ApplyIfNeeded(builder);

        Assert.Null(JwtOptionsValidator.DescribeSecretProblem(builder.Configuration["Jwt:Secret"]));
    }

    [Fact]
    public void Development_hosts_starting_together_all_use_one_complete_key()
    {
        const int Hosts = 8;
        const int Rounds = 100;
        var failures = new List<string>();
        for (var round = 0; round < Rounds; round++)
        {
            var folder = Path.Combine(_root, $"round-{round}");
            var builders = Enumerable.Range(0, Hosts).Select(_ => Builder(dataDirectory: folder)).ToArray();
            using var start = new Barrier(Hosts);
            var errors = new ConcurrentQueue<Exception>();
            var threads = builders.Select(builder => new Thread(() =>
            {
                start.SignalAndWait();
                try
                {
                    DevelopmentSigningKey.ApplyIfNeeded(builder);
                }
                catch (Exception exception)
                {
                    errors.Enqueue(exception);
                }
            })).ToArray();

            foreach (var thread in threads)
            {
                thread.Start();
            }

            foreach (var thread in threads)
            {
                thread.Join();
            }

            Assert.Empty(errors);
            var secrets = builders.Select(b => b.Configuration["Jwt:Secret"]).ToArray();
            var onDisk = File.ReadAllText(Path.Combine(folder, KeyFileName));
            var wrong = secrets.Count(secret => secret != onDisk);
            if (wrong > 0 || JwtOptionsValidator.DescribeSecretProblem(onDisk) is not null)
            {
                failures.Add($"round {round}: {wrong} of {Hosts} hosts took a different key than the file's "
                    + $"({secrets.Count(string.IsNullOrEmpty)} of them an empty one)");
            }
        }

        if (failures.Count > 0)
        {
            Assert.Fail($"{failures.Count} of {Rounds} rounds disagreed; first: {failures[0]}");
        }
    }
}
