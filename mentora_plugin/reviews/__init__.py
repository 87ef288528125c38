"""
Project reviews: practical projects that authors add to a course (the ``mentora_project`` block), learners' versioned
submissions, trainers' rubric reviews, grades that reach the gradebook through edx-submissions, and a gallery.
"""
