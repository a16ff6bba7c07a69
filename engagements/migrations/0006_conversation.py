"""The conversation: messages, attachments (one storage for message and submission files), read
marks and inbound replies. Submission files become links to attachments in the next two steps."""

import django.db.models.deletion
import django.utils.timezone
import engagements.models.conversation
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_reminders'),
        ('engagements', '0005_arm_reminders'),
        ('freelancers', '0002_vetting'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Attachment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('file', models.FileField(max_length=200, upload_to=engagements.models.conversation.attachment_key)),
                ('thumbnail', models.FileField(blank=True, max_length=200, upload_to=engagements.models.conversation.thumbnail_key)),
                ('name', models.CharField(max_length=200)),
                ('content_type', models.CharField(max_length=100)),
                ('size', models.PositiveBigIntegerField()),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('engagement', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='attachments', to='engagements.engagement')),
                ('uploaded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('workspace', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accounts.workspace')),
            ],
            options={
                'ordering': ['id'],
            },
        ),
        migrations.AddField(
            model_name='submissionfile',
            name='attachment',
            field=models.OneToOneField(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='submission_file', to='engagements.attachment'),
        ),
        migrations.CreateModel(
            name='Message',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('author_name', models.CharField(max_length=200)),
                ('body', models.TextField(blank=True)),
                ('via', models.CharField(choices=[('web', 'the app'), ('api', 'the API'), ('email', 'email')], default='web', max_length=8)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('edited_at', models.DateTimeField(blank=True, null=True)),
                ('retracted_at', models.DateTimeField(blank=True, null=True)),
                ('author_freelancer', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='freelancers.freelancer')),
                ('author_user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('engagement', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='messages', to='engagements.engagement')),
            ],
            options={
                'ordering': ['created_at', 'id'],
            },
        ),
        migrations.CreateModel(
            name='InboundEmail',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('email_id', models.CharField(max_length=255, unique=True)),
                ('sender', models.CharField(blank=True, max_length=320)),
                ('recipient', models.CharField(blank=True, max_length=320)),
                ('via', models.CharField(max_length=32)),
                ('size', models.PositiveBigIntegerField(default=0)),
                ('status', models.CharField(choices=[('accepted', 'Became a message'), ('refused', 'Refused')], max_length=16)),
                ('reason', models.CharField(blank=True, max_length=300)),
                ('received_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('message', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='engagements.message')),
            ],
            options={
                'ordering': ['-received_at', '-id'],
            },
        ),
        migrations.AddField(
            model_name='attachment',
            name='message',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='attachments', to='engagements.message'),
        ),
        migrations.CreateModel(
            name='ThreadRead',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('last_read_id', models.PositiveBigIntegerField(default=0)),
                ('read_at', models.DateTimeField(blank=True, null=True)),
                ('notify_at', models.DateTimeField(blank=True, null=True)),
                ('emailed_through_id', models.PositiveBigIntegerField(default=0)),
                ('engagement', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='reads', to='engagements.engagement')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
        ),
        migrations.AddIndex(
            model_name='message',
            index=models.Index(fields=['engagement', 'id'], name='message_thread'),
        ),
        migrations.AddIndex(
            model_name='threadread',
            index=models.Index(condition=models.Q(('notify_at__isnull', False)), fields=['notify_at'], name='thread_read_notify'),
        ),
        migrations.AddIndex(
            model_name='threadread',
            index=models.Index(fields=['user', 'engagement'], name='thread_read_user'),
        ),
        migrations.AddConstraint(
            model_name='threadread',
            constraint=models.UniqueConstraint(fields=('engagement', 'user'), name='thread_read_unique'),
        ),
    ]
