using Cream.Api.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Cream.Api.Data;

public static class DataExtensions
{
    public static IHostApplicationBuilder AddData(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var settings = DatabaseSettings.From(builder.Configuration, AppPaths.DataDirectory(builder));
        builder.Services.AddSingleton(settings);

        if (settings.Provider == DatabaseProvider.Postgres)
        {
            builder.Services.AddDbContextPool<CreamDbContext, PostgresCreamDbContext>(options =>
                options.UseNpgsql(settings.ConnectionString));
        }
        else
        {
            EnsureSqliteFolderExists(settings.ConnectionString);
            builder.Services.AddDbContextPool<CreamDbContext, SqliteCreamDbContext>(options =>
                options.UseSqlite(settings.ConnectionString));
        }

        builder.Services.AddHealthChecks()
            .AddDbContextCheck<CreamDbContext>("database", tags: ["ready"])
            .AddCheck<MigrationsHealthCheck>("migrations", tags: ["ready"]);
        builder.Services.AddSingleton<MigrationsHealthCheck>();
        builder.Services.AddSingleton<IUnavailabilityClassifier, DatabaseUnavailability>();
        return builder;
    }

    /// <summary>Applies pending migrations of the configured provider.</summary>
    public static async Task MigrateDatabaseAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CreamDbContext>();
        var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
        var rekeyAt = pending.FindIndex(m => m.EndsWith("_" + EmailKeyRekey.MigrationName, StringComparison.Ordinal));
        if (rekeyAt >= 0)
        {
            // The rows are re-keyed by the schema they were written under, and the migration
            // that records it is applied only afterwards: an interrupted run re-keys again.
            if (rekeyAt > 0)
            {
                await db.GetService<IMigrator>().MigrateAsync(pending[rekeyAt - 1], cancellationToken: cancellationToken);
            }

            var logger = scope.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(EmailKeyRekey));
            await EmailKeyRekey.RunAsync(db, logger, cancellationToken);
        }

        await db.Database.MigrateAsync(cancellationToken);
        if (db is SqliteCreamDbContext)
        {
            // Write-ahead logging lets readers and one writer work at the same time.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }
    }

    /// <summary>
    /// Says which database this instance uses, and migrates the embedded SQLite database;
    /// PostgreSQL has the <c>migrate</c> command.
    /// </summary>
    public static async Task PrepareDatabaseAsync(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var settings = app.Services.GetRequiredService<DatabaseSettings>();
        var database = settings.Describe();
        Log.DatabaseInUse(app.Logger, database);
        if (settings.Provider == DatabaseProvider.Sqlite)
        {
            await app.Services.MigrateDatabaseAsync(app.Lifetime.ApplicationStopping);
        }
    }

    private static void EnsureSqliteFolderExists(string connectionString)
    {
        var dataSource = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(connectionString).DataSource;
        var folder = Path.GetDirectoryName(Path.GetFullPath(dataSource));
        if (!string.IsNullOrEmpty(folder) && !dataSource.StartsWith(':') && !dataSource.StartsWith("file:", StringComparison.Ordinal))
        {
            Directory.CreateDirectory(folder);
        }
    }
}
