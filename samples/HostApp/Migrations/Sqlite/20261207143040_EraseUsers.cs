using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace HostApp.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class EraseUsers : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_ChatMedia_AspNetUsers_UploadedBy",
                table: "ChatMedia");

            migrationBuilder.DropForeignKey(
                name: "FK_ChatMessageReactions_AspNetUsers_UserId",
                table: "ChatMessageReactions");

            migrationBuilder.DropForeignKey(
                name: "FK_ChatMessages_AspNetUsers_UserId",
                table: "ChatMessages");

            migrationBuilder.DropForeignKey(
                name: "FK_ChatRooms_AspNetUsers_CreatedBy",
                table: "ChatRooms");

            migrationBuilder.DropForeignKey(
                name: "FK_ChatRoomUsers_AspNetUsers_CreatedBy",
                table: "ChatRoomUsers");

            migrationBuilder.DropForeignKey(
                name: "FK_ChatRoomUsers_AspNetUsers_UserId",
                table: "ChatRoomUsers");

            migrationBuilder.DropIndex(
                name: "IX_ChatMessages_UserId",
                table: "ChatMessages");

            migrationBuilder.DropIndex(
                name: "IX_ChatMedia_UploadedBy",
                table: "ChatMedia");

            migrationBuilder.CreateIndex(
                name: "IX_ChatMessages_UserId_Id",
                table: "ChatMessages",
                columns: new[] { "UserId", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_ChatMedia_UploadedBy_Id",
                table: "ChatMedia",
                columns: new[] { "UploadedBy", "Id" });

            migrationBuilder.AddForeignKey(
                name: "FK_ChatMedia_AspNetUsers_UploadedBy",
                table: "ChatMedia",
                column: "UploadedBy",
                principalTable: "AspNetUsers",
                principalColumn: "Id",
                onDelete: ReferentialAction.Restrict);

            migrationBuilder.AddForeignKey(
                name: "FK_ChatMessageReactions_AspNetUsers_UserId",
                table: "ChatMessageReactions",
                column: "UserId",
                principalTable: "AspNetUsers",
                principalColumn: "Id",
                onDelete: ReferentialAction.Restrict);

            migrationBuilder.AddForeignKey(
                name: "FK_ChatMessages_AspNetUsers_UserId",
                table: "ChatMessages",
                column: "UserId",
                principalTable: "AspNetUsers",
                principalColumn: "Id",
                onDelete: ReferentialAction.Restrict);

            migrationBuilder.AddForeignKey(
                name: "FK_ChatRooms_AspNetUsers_CreatedBy",
                table: "ChatRooms",
                column: "CreatedBy",
                principalTable: "AspNetUsers",
                principalColumn: "Id",
                onDelete: ReferentialAction.Restrict);

            migrationBuilder.AddForeignKey(
                name: "FK_ChatRoomUsers_AspNetUsers_CreatedBy",
                table: "ChatRoomUsers",
                column: "CreatedBy",
                principalTable: "AspNetUsers",
                principalColumn: "Id",
                onDelete: ReferentialAction.Restrict);

            migrationBuilder.AddForeignKey(
                name: "FK_ChatRoomUsers_AspNetUsers_UserId",
                table: "ChatRoomUsers",
                column: "UserId",
                principalTable: "AspNetUsers",
                principalColumn: "Id",
                onDelete: ReferentialAction.Restrict);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_ChatMedia_AspNetUsers_UploadedBy",
                table: "ChatMedia");

            migrationBuilder.DropForeignKey(
                name: "FK_ChatMessageReactions_AspNetUsers_UserId",
                table: "ChatMessageReactions");

            migrationBuilder.DropForeignKey(
                name: "FK_ChatMessages_AspNetUsers_UserId",
                table: "ChatMessages");

            migrationBuilder.DropForeignKey(
                name: "FK_ChatRooms_AspNetUsers_CreatedBy",
                table: "ChatRooms");

            migrationBuilder.DropForeignKey(
                name: "FK_ChatRoomUsers_AspNetUsers_CreatedBy",
                table: "ChatRoomUsers");

            migrationBuilder.DropForeignKey(
                name: "FK_ChatRoomUsers_AspNetUsers_UserId",
                table: "ChatRoomUsers");

            migrationBuilder.DropIndex(
                name: "IX_ChatMessages_UserId_Id",
                table: "ChatMessages");

            migrationBuilder.DropIndex(
                name: "IX_ChatMedia_UploadedBy_Id",
                table: "ChatMedia");

            migrationBuilder.CreateIndex(
                name: "IX_ChatMessages_UserId",
                table: "ChatMessages",
                column: "UserId");

            migrationBuilder.CreateIndex(
                name: "IX_ChatMedia_UploadedBy",
                table: "ChatMedia",
                column: "UploadedBy");

            migrationBuilder.AddForeignKey(
                name: "FK_ChatMedia_AspNetUsers_UploadedBy",
                table: "ChatMedia",
                column: "UploadedBy",
                principalTable: "AspNetUsers",
                principalColumn: "Id",
                onDelete: ReferentialAction.Cascade);

            migrationBuilder.AddForeignKey(
                name: "FK_ChatMessageReactions_AspNetUsers_UserId",
                table: "ChatMessageReactions",
                column: "UserId",
                principalTable: "AspNetUsers",
                principalColumn: "Id",
                onDelete: ReferentialAction.Cascade);

            migrationBuilder.AddForeignKey(
                name: "FK_ChatMessages_AspNetUsers_UserId",
                table: "ChatMessages",
                column: "UserId",
                principalTable: "AspNetUsers",
                principalColumn: "Id",
                onDelete: ReferentialAction.Cascade);

            migrationBuilder.AddForeignKey(
                name: "FK_ChatRooms_AspNetUsers_CreatedBy",
                table: "ChatRooms",
                column: "CreatedBy",
                principalTable: "AspNetUsers",
                principalColumn: "Id");

            migrationBuilder.AddForeignKey(
                name: "FK_ChatRoomUsers_AspNetUsers_CreatedBy",
                table: "ChatRoomUsers",
                column: "CreatedBy",
                principalTable: "AspNetUsers",
                principalColumn: "Id");

            migrationBuilder.AddForeignKey(
                name: "FK_ChatRoomUsers_AspNetUsers_UserId",
                table: "ChatRoomUsers",
                column: "UserId",
                principalTable: "AspNetUsers",
                principalColumn: "Id",
                onDelete: ReferentialAction.Cascade);
        }
    }
}
