from celery import shared_task


@shared_task(acks_late=True, reject_on_worker_lost=True, time_limit=120, soft_time_limit=100, ignore_result=True)
def render_document(job_id: int) -> str:
    """Render one document version to .docx. Idempotent: a job already claimed is left alone."""
    from documents.services import render_job_run

    return render_job_run(job_id)
