"""Callbacks (Keras 3): hooks called by ``fit`` / ``evaluate`` / ``predict``, with ``self.model`` and
``self.params`` ({"epochs", "steps", "verbose"}) set by the model. A callback stops training by setting
``self.model.stop_training = True``; the model checks it after each batch and epoch.

What a callback needs of the model: ``get_weights()/set_weights()`` (EarlyStopping), ``save(path)`` /
``save_weights(path)`` (ModelCheckpoint), ``optimizer.learning_rate`` (settable; ReduceLROnPlateau,
LearningRateScheduler), ``stop_training``.

One file per callback, as in Keras (``early_stopping.py``, ``model_checkpoint.py``, ...); ``base.py`` holds
``Callback``, ``callback_list.py`` ``CallbackList``, ``progbar.py`` the progress bar text, ``monitor.py`` the
``mode="auto"`` rule, ``learning_rate.py`` both learning-rate callbacks.
"""

from engine.callbacks.base import Callback, get
from engine.callbacks.callback_list import CallbackList
from engine.callbacks.csv_logger import CSVLogger
from engine.callbacks.early_stopping import EarlyStopping
from engine.callbacks.history import History
from engine.callbacks.lambda_callback import LambdaCallback
from engine.callbacks.learning_rate import LearningRateScheduler, ReduceLROnPlateau
from engine.callbacks.model_checkpoint import ModelCheckpoint
from engine.callbacks.progbar import Progbar
from engine.callbacks.progbar_logger import ProgbarLogger
from engine.callbacks.tensorboard import TensorBoard
from engine.callbacks.terminate_on_nan import TerminateOnNaN

__all__ = ["CSVLogger", "Callback", "CallbackList", "EarlyStopping", "History", "LambdaCallback",
           "LearningRateScheduler", "ModelCheckpoint", "Progbar", "ProgbarLogger", "ReduceLROnPlateau", "TensorBoard",
           "TerminateOnNaN", "get"]
