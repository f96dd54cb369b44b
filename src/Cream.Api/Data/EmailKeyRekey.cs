using Cream.Api.Users;
using Microsoft.EntityFrameworkCore;

namespace Cream.Api.Data;

/// <summary>
/// Brings every stored <c>normalized_email</c> to <see cref="EmailAddress.Key"/>, once, before
/// the <c>EmailKeys</c> migration records that it has been done. Keys used to be the upper-cased
/// email; for plain ASCII nothing changes, while an email with accents, full-width letters or
/// decomposed characters gets the key its owner's next login will look for.
/// </summary>
internal static class EmailKeyRekey
{
    public const string MigrationName = "EmailKeys";

    /// <summary>Re-keys what needs it; safe to run again (a second run finds nothing to do).</summary>
    public static async Task RunAsync(CreamDbContext db, ILogger logger, CancellationToken cancellationToken)
    {
        // Read once in the life of a database, a row at a time; only the few rows whose key
        // changes (emails that are not plain ASCII) are kept.
        var stale = new List<(Guid Id, string Key)>();
        await foreach (var row in db.Users.AsNoTracking().Select(u => new { u.Id, u.Email, u.NormalizedEmail })
            .AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            if (EmailAddress.Key(row.Email) is var key && key != row.NormalizedEmail)
            {
                stale.Add((row.Id, key));
            }
        }

        var changed = 0;
        foreach (var (id, key) in stale)
        {
            if (await db.Users.AnyAsync(u => u.NormalizedEmail == key, cancellationToken))
            {
                // Two existing accounts are spellings of one address: neither is merged or
                // locked out silently; the operator decides which one keeps the address.
                Log.EmailKeyCollision(logger, id);
                continue;
            }

            await db.Users.Where(u => u.Id == id)
                .ExecuteUpdateAsync(set => set.SetProperty(u => u.NormalizedEmail, key), cancellationToken);
            changed++;
        }

        if (changed > 0)
        {
            Log.EmailKeysRekeyed(logger, changed);
        }
    }
}
