using System.Data.Common;
using Cream.Api.Data;
using Microsoft.EntityFrameworkCore;

namespace Cream.Api.Auth.Revocation;

/// <summary>
/// Reads the start-up snapshot's rows, millions of them, straight from the data reader: EF writes
/// the query (SQL and parameters, for either provider), but materializing through EF costs about
/// 200 bytes and twice the CPU per row, where the bare reader allocates nothing (ADR 24).
/// </summary>
internal static class SnapshotRows
{
    /// <summary>
    /// Runs <paramref name="query"/> and calls what <paramref name="bind"/> returns once per row.
    /// <paramref name="bind"/> runs once, with the reader open: it looks up the column positions
    /// (<see cref="DbDataReader.GetOrdinal"/>, by the projection's member names) for the row reader to use.
    /// </summary>
    public static async Task ReadAsync<T>(CreamDbContext db, IQueryable<T> query, Func<DbDataReader, Action> bind, CancellationToken cancellationToken)
    {
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var command = query.CreateDbCommand();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var row = bind(reader);
            while (await reader.ReadAsync(cancellationToken))
            {
                row();
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }
}
