using Cream.Api.Users;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Cream.Api.StockData;

internal sealed class TrackedStockConfiguration : IEntityTypeConfiguration<TrackedStock>
{
    public void Configure(EntityTypeBuilder<TrackedStock> stock)
    {
        stock.ToTable("tracked_stock");
        stock.HasKey(s => s.Id);
        stock.Property(s => s.Id).HasColumnName("id").ValueGeneratedNever();
        stock.Property(s => s.Symbol).HasColumnName("symbol").HasMaxLength(StockSymbol.MaxLength);
        stock.HasIndex(s => s.Symbol).IsUnique().HasDatabaseName("ux_tracked_stock_symbol");
        stock.Property(s => s.LastPullDate).HasColumnName("last_pull_date");
        stock.Property(s => s.LastPullStatus).HasColumnName("last_pull_status").HasMaxLength(16);
        stock.Property(s => s.ErrorMessage).HasColumnName("error_message").HasMaxLength(1024);
        stock.Property(s => s.IsActive).HasColumnName("is_active");
        stock.Property(s => s.CreatedAt).HasColumnName("created_at");
    }
}

internal sealed class TrackingRequestConfiguration : IEntityTypeConfiguration<TrackingRequest>
{
    public void Configure(EntityTypeBuilder<TrackingRequest> request)
    {
        request.ToTable("tracking_requests");
        request.HasKey(r => r.Id);
        request.Property(r => r.Id).HasColumnName("id").ValueGeneratedNever();
        request.Property(r => r.TrackedStockId).HasColumnName("tracked_stock_id");
        request.Property(r => r.UserId).HasColumnName("user_id");
        request.Property(r => r.RequestedAt).HasColumnName("requested_at");
        request.HasOne<TrackedStock>().WithMany().HasForeignKey(r => r.TrackedStockId).OnDelete(DeleteBehavior.Cascade);
        // A deleted user's requests stay, unlinked. Both providers treat NULLs in a unique index
        // as distinct, so the index keeps one row per live user and symbol and any number of unlinked ones.
        request.HasOne<AppUser>().WithMany().HasForeignKey(r => r.UserId).OnDelete(DeleteBehavior.SetNull);
        request.HasIndex(r => new { r.TrackedStockId, r.UserId }).IsUnique().HasDatabaseName("ux_tracking_requests_stock_user");
        request.HasIndex(r => r.UserId).HasDatabaseName("ix_tracking_requests_user_id");
    }
}
